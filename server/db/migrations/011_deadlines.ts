import type { Kysely, Migration } from 'kysely'
import { sql } from 'kysely'
import { dueDate, localDate } from '../../domain/calendar/workingDays.js'
import type { Dialect } from '../schema.js'

// Deadlines in working days: each application's due date (set on receipt, moved by the
// days its clock stood still while information was requested, or by an apology's new
// date), the day its clock stopped, and the officer it is assigned to. An event row may be
// an apology for lateness rather than a change of status.
export function deadlinesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('applications').addColumn('due_on', 'text').execute()
      await db.schema.alterTable('applications').addColumn('clock_stopped_on', 'text').execute()
      await db.schema.alterTable('applications').addColumn('assigned_to', 'text').execute()
      await db.schema.alterTable('application_events').addColumn('kind', 'text').execute()
      await db.schema.alterTable('application_events').addColumn('new_due_on', 'text').execute()
      await db.schema.createIndex('applications_agency_due').on('applications').columns(['agency_id', 'due_on']).execute()
      // Applications already under way: due from their submission, as the inbox showed them;
      // one waiting for the applicant's answer has its clock stopped since its last change.
      const open = await sql<{ id: string, submitted_at: string, updated_at: string, processing_days: number | null, status: string }>`
        select a.id, a.submitted_at, a.updated_at, s.processing_days, a.status from applications a join services s on s.id = a.service_id
        where a.submitted_at is not null and a.status in ('submitted', 'received', 'in_review', 'info_requested')`.execute(db)
      for (const row of open.rows) {
        if (row.processing_days === null) continue
        const due = dueDate(new Date(row.submitted_at), Number(row.processing_days))
        const stopped = row.status === 'info_requested' ? localDate(new Date(row.updated_at)) : null
        await sql`update applications set due_on = ${due}, clock_stopped_on = ${stopped} where id = ${row.id}`.execute(db)
      }
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('applications_agency_due').ifExists().execute()
      for (const column of ['new_due_on', 'kind']) await db.schema.alterTable('application_events').dropColumn(column).execute()
      for (const column of ['assigned_to', 'clock_stopped_on', 'due_on']) await db.schema.alterTable('applications').dropColumn(column).execute()
    },
  }
}
