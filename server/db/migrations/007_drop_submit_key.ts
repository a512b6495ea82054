import { sql, type Kysely, type Migration } from 'kysely'
import type { Dialect } from '../schema.js'

const kept = [
  'id', 'reference', 'service_id', 'agency_id', 'applicant_id', 'on_behalf_of', 'on_behalf_of_name', 'status', 'answers', 'profile',
  'current_page', 'applicant_birthdate', 'status_code_hash', 'assurance_level', 'agency_reference', 'created_at', 'updated_at',
  'submitted_at', 'decided_at',
]

// applications.submit_key was never written: submission is idempotent by the draft's
// status, not by a key. PostgreSQL drops the column; SQLite cannot drop a UNIQUE column,
// so the table is rebuilt without it (sqlite.org/lang_altertable.html, "Making other
// kinds of table schema changes"), foreign keys off for the time and checked after.
export function dropSubmitKeyMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'postgres') {
        await db.schema.alterTable('applications').dropColumn('submit_key').execute()
        return
      }
      await sql`pragma foreign_keys = off`.execute(db)
      try {
        await db.transaction().execute(async (trx) => {
          await trx.schema.createTable('applications_rebuilt')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('reference', 'text', (c) => c.notNull().unique())
            .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
            .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
            .addColumn('applicant_id', 'text', (c) => c.notNull().references('users.id'))
            .addColumn('on_behalf_of', 'text')
            .addColumn('on_behalf_of_name', 'text')
            .addColumn('status', 'text', (c) => c.notNull())
            .addColumn('answers', 'text', (c) => c.notNull())
            .addColumn('profile', 'text')
            .addColumn('current_page', 'text')
            .addColumn('applicant_birthdate', 'text')
            .addColumn('status_code_hash', 'text')
            .addColumn('assurance_level', 'integer')
            .addColumn('agency_reference', 'text')
            .addColumn('created_at', 'text', (c) => c.notNull())
            .addColumn('updated_at', 'text', (c) => c.notNull())
            .addColumn('submitted_at', 'text')
            .addColumn('decided_at', 'text')
            .execute()
          const columns = sql.join(kept.map((c) => sql.ref(c)))
          await sql`insert into applications_rebuilt (${columns}) select ${columns} from applications`.execute(trx)
          await trx.schema.dropTable('applications').execute()
          await trx.schema.alterTable('applications_rebuilt').renameTo('applications').execute()
          await trx.schema.createIndex('applications_applicant').on('applications').columns(['applicant_id', 'updated_at']).execute()
          await trx.schema.createIndex('applications_agency').on('applications').columns(['agency_id', 'status']).execute()
          const broken = await sql<Record<string, unknown>>`pragma foreign_key_check`.execute(trx)
          if (broken.rows.length) throw new Error(`foreign keys broken by the rebuild: ${JSON.stringify(broken.rows.slice(0, 3))}`)
        })
      } finally {
        await sql`pragma foreign_keys = on`.execute(db)
      }
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('applications').addColumn('submit_key', 'text').execute()
    },
  }
}
