import type { Kysely, Migration } from 'kysely'
import type { Dialect } from '../schema.js'

// Result documents: one per approved application, found by its printed verification
// code, signed (the token the QR code carries), revocable with a reason, and counted
// each time it is checked. A service may declare its result's title and text.
export function resultsMigration(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('services').addColumn('result_template', 'text').execute()
      await db.schema.createTable('results')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('application_id', 'text', (c) => c.notNull().unique().references('applications.id'))
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('agency_id', 'text', (c) => c.notNull())
        .addColumn('holder_name', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('issued_by', 'text', (c) => c.notNull())
        .addColumn('issuer_name', 'text')
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('pdf_sha256', 'text', (c) => c.notNull())
        // portal: the portal made the document; agency: the agency sent its own signed PDF, wrapped by the portal's page
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('portal'))
        .addColumn('agency_pdf_sha256', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text')
        .addColumn('revoke_reason', 'text')
        .addColumn('checks', bigint, (c) => c.notNull().defaultTo(0))
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('results').ifExists().execute()
      await db.schema.alterTable('services').dropColumn('result_template').execute()
    },
  }
}
