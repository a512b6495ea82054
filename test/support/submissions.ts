import type { Application } from '../../server/domain/applications/model.js'
import type { User } from '../../server/domain/identity/model.js'
import type { TestPortal } from './testApp.js'

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)

/** Complete answers for temporary residence (commune police), which needs no upload when the home is one's own. */
export const temporaryResidenceAnswers = () => ({
  applicantName: 'Nguyễn Văn An', applicantCitizenId: '001085012345', applicantPhone: '0912345678',
  stayAddress: '12 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội', permanentAddress: '5 Trần Phú, Vinh, Nghệ An',
  stayFrom: daysAgo(3), stayMonths: '12', housing: 'owner',
})

export async function citizen(portal: TestPortal, email: string): Promise<User> {
  const existing = await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
  if (!existing) await portal.services.accounts.ensureDemoAccounts([{ email, fullName: 'Nguyễn Văn An', role: 'citizen', password: 'mật khẩu thử nghiệm dài' }])
  const { id } = await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()
  return (await portal.services.accounts.findUser(id))!
}

/** The application as the domain has it, read again (after the dispatcher or another request moved it). */
export async function reread(portal: TestPortal, reference: string): Promise<Application> {
  const { applicant_id: applicantId } = await portal.database.handle.db.selectFrom('applications').select('applicant_id').where('reference', '=', reference).executeTakeFirstOrThrow()
  return (await portal.services.applications.ofApplicant(applicantId, reference))!
}

/** A submitted application made through the domain (the web journey has its own tests). */
export async function submitted(portal: TestPortal, user: User, serviceId = 'dang-ky-tam-tru', answers: Record<string, string> = temporaryResidenceAnswers()) {
  const applications = portal.services.applications
  const { application } = await applications.start(user, serviceId, undefined, { ip: '127.0.0.1', requestId: 'test' })
  await portal.database.handle.db.updateTable('applications').set({ answers: JSON.stringify(answers) }).where('id', '=', application.id).execute()
  const draft = await reread(portal, application.reference)
  return (await applications.submit(draft, user, { assuranceLevel: 2 }, { ip: '127.0.0.1', requestId: 'test' })).application
}
