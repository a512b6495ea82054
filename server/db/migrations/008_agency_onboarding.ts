import type { Kysely, Migration } from 'kysely'
import type { Dialect } from '../schema.js'

// Agencies act for themselves: API keys (only their hash is kept), their own endpoint
// with its signing secrets, verification and health, the private hosts an administrator
// allowed, and the answers kept for an Idempotency-Key.
export function agencyOnboardingMigration(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('ip_allowlist', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text')
        .addColumn('rotated_to', 'text')
        .addColumn('last_used_at', 'text')
        .addColumn('last_used_ip', 'text')
        .addColumn('notices_sent', 'text', (c) => c.notNull().defaultTo(''))
        .execute()
      await db.schema.createIndex('api_keys_agency').on('api_keys').columns(['agency_id', 'created_at']).execute()

      // The table held only the switch-off of a 410 Gone; it now holds the endpoint itself.
      // disabled_at and reason keep their meaning: when and why the endpoint was suspended.
      for (const [column, type] of [
        ['url', 'text'], ['secret', 'text'], ['previous_secret', 'text'], ['previous_secret_until', 'text'],
        ['origin', 'text'], ['verified_at', 'text'], ['registered_by', 'text'], ['registered_at', 'text'],
        ['failing_since', 'text'], ['last_error', 'text'], ['last_error_at', 'text'], ['last_success_at', 'text'],
      ] as const) {
        await db.schema.alterTable('agency_endpoints').addColumn(column, type).execute()
      }
      await db.schema.alterTable('agency_endpoints').addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute()

      await db.schema.createTable('endpoint_hosts')
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('allowed_by', 'text', (c) => c.notNull())
        .addColumn('allowed_at', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addPrimaryKeyConstraint('endpoint_hosts_pk', ['host', 'port'])
        .execute()

      await db.schema.createTable('idempotency_keys')
        .addColumn('agency_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('response', 'text')
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['agency_id', 'key'])
        .execute()
      await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute()
      await db.schema.createIndex('applications_agency_updated').on('applications').columns(['agency_id', 'updated_at', 'id']).execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('applications_agency_updated').ifExists().execute()
      for (const table of ['idempotency_keys', 'endpoint_hosts', 'api_keys']) await db.schema.dropTable(table).ifExists().execute()
    },
  }
}
