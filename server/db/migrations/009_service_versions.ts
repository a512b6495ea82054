import type { Kysely, Migration } from 'kysely'
import type { Dialect } from '../schema.js'

// Agencies register services themselves: each version is kept (draft, in review,
// approved, rejected) with its whole content; the catalogue row is the version in force.
// An application keeps the version it was made with.
export function serviceVersionsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('services').addColumn('status', 'text', (c) => c.notNull().defaultTo('active')).execute()
      await db.schema.alterTable('services').addColumn('version', 'integer', (c) => c.notNull().defaultTo(1)).execute()
      await db.schema.alterTable('services').addColumn('origin', 'text', (c) => c.notNull().defaultTo('manifest')).execute()
      await db.schema.alterTable('applications').addColumn('service_version', 'integer').execute()
      await db.schema.createTable('service_versions')
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('submitted_by', 'text')
        .addColumn('submitted_at', 'text')
        .addColumn('reviewed_by', 'text')
        .addColumn('reviewed_at', 'text')
        .addColumn('review_note', 'text')
        .addPrimaryKeyConstraint('service_versions_pk', ['service_id', 'version'])
        .execute()
      await db.schema.createIndex('service_versions_state').on('service_versions').columns(['state', 'submitted_at']).execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('service_versions').ifExists().execute()
      await db.schema.alterTable('applications').dropColumn('service_version').execute()
      for (const column of ['origin', 'version', 'status']) await db.schema.alterTable('services').dropColumn(column).execute()
    },
  }
}
