import type { UserRow } from '../../server/db/identityRepository.js'
import type { TestPortal } from './testApp.js'

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)

/** Complete answers for temporary residence (commune police), which needs no upload when the home is one's own. */
export const temporaryResidenceAnswers = () => ({
  applicantName: 'Nguyễn Văn An', applicantCitizenId: '001085012345', applicantPhone: '0912345678',
  stayAddress: '12 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội', permanentAddress: '5 Trần Phú, Vinh, Nghệ An',
  stayFrom: daysAgo(3), stayMonths: '12', housing: 'owner',
})

export async function citizen(portal: TestPortal, email: string): Promise<UserRow> {
  const existing = await portal.database.handle.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()
  if (existing) return existing
  await portal.services.accounts.ensureDemoAccounts([{ email, fullName: 'Nguyễn Văn An', role: 'citizen', password: 'mật khẩu thử nghiệm dài' }])
  return portal.database.handle.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow()
}

/** A submitted application made through the domain (the web journey has its own tests). */
export async function submitted(portal: TestPortal, user: UserRow, serviceId = 'dang-ky-tam-tru', answers: Record<string, string> = temporaryResidenceAnswers()) {
  const applications = portal.services.applications
  const { application } = await applications.start(user, serviceId, undefined, { ip: '127.0.0.1', requestId: 'test' })
  await portal.database.handle.db.updateTable('applications').set({ answers: JSON.stringify(answers) }).where('id', '=', application.id).execute()
  const draft = (await portal.database.handle.db.selectFrom('applications').selectAll().where('id', '=', application.id).executeTakeFirstOrThrow())
  return (await applications.submit(draft, user, { assuranceLevel: 2 }, { ip: '127.0.0.1', requestId: 'test' })).application
}
