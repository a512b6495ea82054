import type { CreateTableBuilder, Kysely, Migration } from 'kysely'
import type { Dialect } from '../schema.js'

/** An auto-incrementing integer primary key named id, in either dialect. */
function withSerialId<T extends string>(table: CreateTableBuilder<T>, dialect: Dialect): CreateTableBuilder<T, 'id'> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
}

// Applications, their events and documents, the outbox the dispatcher delivers from,
// the delivery log, and each person's inbox.
export function applicationsMigration(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('services').addColumn('form', 'text').execute()

      await db.schema.createTable('applications')
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
        .addColumn('submit_key', 'text', (c) => c.unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('submitted_at', 'text')
        .addColumn('decided_at', 'text')
        .execute()
      await db.schema.createIndex('applications_applicant').on('applications').columns(['applicant_id', 'updated_at']).execute()
      await db.schema.createIndex('applications_agency').on('applications').columns(['agency_id', 'status']).execute()

      await withSerialId(db.schema.createTable('application_events'), dialect)
        .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('actor_kind', 'text', (c) => c.notNull())
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('note', 'text')
        .execute()
      await db.schema.createIndex('application_events_application').on('application_events').columns(['application_id', 'id']).execute()

      await db.schema.createTable('documents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('field_id', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('size', bigint, (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('uploaded_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('documents_application').on('documents').column('application_id').execute()

      // One row per delivery to an agency; its id is the webhook-id, stable across retries.
      await db.schema.createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
        .addColumn('agency_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', bigint, (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', bigint)
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .execute()
      await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute()

      await withSerialId(db.schema.createTable('deliveries'), dialect)
        .addColumn('outbox_id', 'text', (c) => c.notNull())
        .addColumn('application_id', 'text', (c) => c.notNull())
        .addColumn('agency_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .execute()
      await db.schema.createIndex('deliveries_agency').on('deliveries').columns(['agency_id', 'id']).execute()
      await db.schema.createIndex('deliveries_outbox').on('deliveries').column('outbox_id').execute()

      // An agency endpoint that answered 410 Gone is switched off until re-enabled.
      await db.schema.createTable('agency_endpoints')
        .addColumn('agency_id', 'text', (c) => c.primaryKey())
        .addColumn('disabled_at', 'text')
        .addColumn('reason', 'text')
        .execute()

      await withSerialId(db.schema.createTable('notifications'), dialect)
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('application_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('read_at', 'text')
        .execute()
      await db.schema.createIndex('notifications_user').on('notifications').columns(['user_id', 'id']).execute()
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['notifications', 'agency_endpoints', 'deliveries', 'outbox', 'documents', 'application_events', 'applications']) {
        await db.schema.dropTable(table).ifExists().execute()
      }
      await db.schema.alterTable('services').dropColumn('form').execute()
    },
  }
}
