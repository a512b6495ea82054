import type { Kysely, Migration } from 'kysely'
import type { Dialect } from '../schema.js'

export function identityMigration(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.unique())
        .addColumn('email_verified_at', 'text')
        .addColumn('password_hash', 'text')
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('citizen'))
        .addColumn('agency_id', 'text', (c) => c.references('agencies.id'))
        .addColumn('full_name', 'text')
        .addColumn('failed_sign_ins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()

      // express-session's store; expires_at in epoch milliseconds.
      await db.schema.createTable('sessions')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute()

      // Single-use links sent by email; only the hash of the token is kept.
      await db.schema.createTable('email_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()

      // Shared counters for rate limits, so every instance sees the same count.
      await db.schema.createTable('rate_limits')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .addColumn('reset_at', bigint, (c) => c.notNull())
        .execute()

      // Append-only. The tamper-evident hash chain comes with the audit work.
      let audit = db.schema.createTable('audit_events')
      audit = dialect === 'postgres'
        ? audit.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : audit.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      await audit
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('subject_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('request_id', 'text')
        .addColumn('detail', 'text')
        .execute()
      await db.schema.createIndex('audit_events_subject').on('audit_events').columns(['subject_id', 'id']).execute()
      await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor_id', 'id']).execute()
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['audit_events', 'rate_limits', 'email_tokens', 'sessions', 'users']) {
        await db.schema.dropTable(table).ifExists().execute()
      }
    },
  }
}
