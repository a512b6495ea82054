import type { Kysely, Migration } from 'kysely'
import { sql } from 'kysely'
import type { Dialect } from '../schema.js'

// The auditor's records. The request log: one row per request, written in batches.
// The audit trail becomes a Merkle log: each entry gets its place (leaf_index) and leaf
// hash once, after it commits, from one sequencer at a time; signed checkpoints of the
// tree; the public keys that ever signed one. Entries carry the application and agency
// they concern, for the auditor's search.
export function auditLogMigration(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<unknown>) {
      let requests = db.schema.createTable('request_log')
      requests = dialect === 'postgres'
        ? requests.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : requests.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      await requests
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('route', 'text')
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('query', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('duration_ms', 'real', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('role', 'text')
        .addColumn('on_behalf_of', 'text')
        .addColumn('api_key_id', 'text')
        .addColumn('agency_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .execute()
      await db.schema.createIndex('request_log_at').on('request_log').columns(['at']).execute()
      await db.schema.createIndex('request_log_request').on('request_log').columns(['request_id']).execute()
      await db.schema.createIndex('request_log_user').on('request_log').columns(['user_id', 'id']).execute()
      await db.schema.createIndex('request_log_agency').on('request_log').columns(['agency_id', 'id']).execute()

      await db.schema.alterTable('audit_events').addColumn('leaf_index', bigint).execute()
      await db.schema.alterTable('audit_events').addColumn('leaf_hash', 'text').execute()
      await db.schema.alterTable('audit_events').addColumn('reference', 'text').execute()
      await db.schema.alterTable('audit_events').addColumn('agency_id', 'text').execute()
      // One entry at each place: two sequencers can never fork the log.
      await db.schema.createIndex('audit_events_leaf').on('audit_events').column('leaf_index').unique().execute()
      // What the sequencer has still to place: a small index, whatever the trail's size.
      await db.schema.createIndex('audit_events_unplaced').on('audit_events').column('id').where(sql.ref('leaf_index'), 'is', null).execute()
      await db.schema.createIndex('audit_events_request').on('audit_events').columns(['request_id']).execute()
      await db.schema.createIndex('audit_events_reference').on('audit_events').columns(['reference', 'id']).execute()
      await db.schema.createIndex('audit_events_agency').on('audit_events').columns(['agency_id', 'id']).execute()
      await db.schema.createIndex('audit_events_action').on('audit_events').columns(['action', 'id']).execute()
      // Entries written before this release: their application, from what they recorded.
      await sql`update audit_events set reference = ${dialect === 'postgres' ? sql`detail::json->>'reference'` : sql`json_extract(detail, '$.reference')`}
        where detail is not null and detail like '%"reference"%'`.execute(db)
      await sql`update audit_events set agency_id = ${dialect === 'postgres' ? sql`detail::json->>'agency'` : sql`json_extract(detail, '$.agency')`}
        where detail is not null and detail like '%"agency"%'`.execute(db)

      await db.schema.createTable('audit_log_state')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('size', bigint, (c) => c.notNull())
        // the roots of the perfect subtrees the tree of this size is made of, left to right (hex)
        .addColumn('frontier', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await sql`insert into audit_log_state (id, size, frontier, updated_at) values (1, 0, '[]', ${new Date().toISOString()})`.execute(db)
      await db.schema.createTable('audit_checkpoints')
        .addColumn('size', bigint, (c) => c.primaryKey())
        .addColumn('root_hash', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createTable('audit_keys')
        .addColumn('key_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('first_used_at', 'text', (c) => c.notNull())
        .execute()
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['audit_keys', 'audit_checkpoints', 'audit_log_state', 'request_log']) await db.schema.dropTable(table).ifExists().execute()
      for (const index of ['audit_events_leaf', 'audit_events_unplaced', 'audit_events_request', 'audit_events_reference', 'audit_events_agency', 'audit_events_action']) {
        await db.schema.dropIndex(index).ifExists().execute()
      }
      for (const column of ['agency_id', 'reference', 'leaf_hash', 'leaf_index']) await db.schema.alterTable('audit_events').dropColumn(column).execute()
    },
  }
}
