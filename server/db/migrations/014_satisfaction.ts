import type { Kysely, Migration } from 'kysely'
import type { Dialect } from '../schema.js'

// After a decision the applicant is asked once how satisfied they are (1 to 5, an
// optional comment, nothing required): one row per application, its score null when
// they chose not to answer, so they are not asked again. Comments are for the agency;
// the open statistics (server/domain/statistics/) publish only counts and averages.
// Decisions are counted by when they were made, so the statistics read by decided_at.
export function satisfactionMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('satisfaction')
        .addColumn('application_id', 'text', (c) => c.primaryKey().references('applications.id').onDelete('cascade'))
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('agency_id', 'text', (c) => c.notNull())
        .addColumn('score', dialect === 'postgres' ? 'smallint' : 'integer')
        .addColumn('comment', 'text')
        .addColumn('answered_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('satisfaction_agency').on('satisfaction').columns(['agency_id', 'answered_at']).execute()
      await db.schema.createIndex('applications_decided').on('applications').column('decided_at').execute()
      await db.schema.createIndex('applications_created').on('applications').column('created_at').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('applications_created').execute()
      await db.schema.dropIndex('applications_decided').execute()
      await db.schema.dropTable('satisfaction').execute()
    },
  }
}
