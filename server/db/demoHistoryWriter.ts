import type { Insertable } from 'kysely'
import { newReference } from '../domain/applications/reference.js'
import { fold } from '../domain/catalogue/textFolding.js'
import { demoHistory, seededRandom, type DemoOptions, type DemoService } from '../domain/statistics/demoHistory.js'
import type { Db } from './database.js'
import { newRowId } from './rowIds.js'
import type { ApplicationEventTable, ApplicationTable, SatisfactionTable, UserTable } from './schema.js'

export interface DemoHistoryWritten { applications: number, people: number, ratings: number, services: number }

const familyNames = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý']
const middleNames = ['Văn', 'Thị', 'Hữu', 'Minh', 'Ngọc', 'Thanh', 'Đức', 'Thu', 'Quốc', 'Kim']
const givenNames = ['An', 'Bình', 'Cường', 'Dung', 'Hà', 'Hải', 'Hạnh', 'Hoa', 'Hùng', 'Lan', 'Linh', 'Long', 'Mai', 'Nam', 'Phương', 'Quân', 'Sơn', 'Tâm', 'Thảo', 'Trang', 'Tuấn', 'Việt', 'Yến']

export const hasApplications = async (db: Db): Promise<boolean> =>
  (await db.selectFrom('applications').select('id').limit(1).executeTakeFirst()) !== undefined

/** Why a demo history was not written. */
export class DemoHistoryRefused extends Error {}

/**
 * Writes a demo history (server/domain/statistics/demoHistory.ts) into a database that
 * has no application yet, for the most used services one can apply for online, by
 * made-up people who cannot sign in (no email, no password). `progress` is told after
 * each chunk.
 */
export async function writeDemoHistory(db: Db, now: Date, options: DemoOptions & { people?: number, services?: number } = {},
  progress: (done: number, total: number) => void = () => {}): Promise<DemoHistoryWritten> {
  if (await hasApplications(db)) throw new DemoHistoryRefused('the database already has applications; the demo history goes only into an empty one')
  const rows = await db.selectFrom('services').select(['id', 'agency_id', 'version', 'processing_days', 'popularity'])
    .where('status', '=', 'active').where('form', 'is not', null).orderBy('popularity', 'desc').orderBy('id').limit(options.services ?? 80).execute()
  if (!rows.length) throw new DemoHistoryRefused('the catalogue has no service to apply for online; load it first (npm start seeds it)')
  const services: DemoService[] = rows.map((r) => ({
    id: r.id, agencyId: r.agency_id, version: Number(r.version),
    processingDays: r.processing_days === null ? null : Number(r.processing_days), popularity: Number(r.popularity),
  }))

  const random = seededRandom(options.seed ?? 2022)
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!
  const at = now.toISOString()
  const people: Array<Insertable<UserTable>> = Array.from({ length: options.people ?? 300 }, () => {
    const fullName = `${pick(familyNames)} ${pick(middleNames)} ${pick(givenNames)}`
    return {
      id: newRowId(), email: null, email_verified_at: null, folded_name: fold(fullName), password_hash: null, role: 'citizen', agency_id: null, full_name: fullName,
      failed_sign_ins: 0, locked_until: null, created_at: at, updated_at: at, birthdate: null, gender: null, citizen_id: null, address: null, phone: null,
      national_sub: null, verified_fields: null, assurance_level: null,
    }
  })
  const history = [...demoHistory(services, people.length, now, options)]

  let ratings = 0
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < people.length; i += 200) await trx.insertInto('users').values(people.slice(i, i + 200)).execute()
  })
  const chunk = 200
  for (let start = 0; start < history.length; start += chunk) {
    const apps: Array<Insertable<ApplicationTable>> = []
    const events: Array<Insertable<ApplicationEventTable>> = []
    const answers: Array<Insertable<SatisfactionTable>> = []
    for (const a of history.slice(start, start + chunk)) {
      const id = newRowId()
      const final = a.status === 'approved' || a.status === 'rejected' || a.status === 'withdrawn'
      apps.push({
        id, reference: newReference(new Date(a.createdAt)), service_id: a.service.id, agency_id: a.service.agencyId, applicant_id: people[a.applicant]!.id,
        on_behalf_of: null, on_behalf_of_name: null, status: a.status, answers: '{}', profile: null,
        current_page: null, applicant_birthdate: null, status_code_hash: null, assurance_level: a.submittedAt ? 2 : null, agency_reference: null,
        created_at: a.createdAt, updated_at: a.events.at(-1)?.at ?? a.createdAt, submitted_at: a.submittedAt, decided_at: final ? a.decidedAt : null,
        service_version: a.service.version, due_on: a.dueOn, clock_stopped_on: a.clockStoppedOn, assigned_to: null,
      })
      for (const e of a.events) {
        events.push({
          application_id: id, at: e.at, actor_id: e.actorKind === 'citizen' ? people[a.applicant]!.id : null, actor_kind: e.actorKind,
          from_status: e.from, to_status: e.to, message: e.message, note: null, kind: e.kind, new_due_on: e.newDueOn,
        })
      }
      if (a.rating) {
        ratings++
        const { score, comment, at: answeredAt } = a.rating
        answers.push({ application_id: id, service_id: a.service.id, agency_id: a.service.agencyId, score, comment, answered_at: answeredAt })
      }
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('applications').values(apps).execute()
      for (let i = 0; i < events.length; i += 500) await trx.insertInto('application_events').values(events.slice(i, i + 500)).execute()
      if (answers.length) await trx.insertInto('satisfaction').values(answers).execute()
    })
    progress(Math.min(history.length, start + chunk), history.length)
  }
  return { applications: history.length, people: people.length, ratings, services: services.length }
}
