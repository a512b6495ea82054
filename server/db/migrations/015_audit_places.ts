import type { Kysely, Migration } from 'kysely'
import { sql } from 'kysely'
import type { Dialect } from '../schema.js'

// The audit log's places move out of the entries into a narrow table of their own
// (audit_places), and what the sequencer has still to place into a queue of entry ids
// (audit_unplaced) that every insert into audit_events fills, by a trigger, whoever
// inserts. Placing an entry was an UPDATE of its wide row: on PostgreSQL a new version
// of the row (its detail included) and an entry in each of its nine indexes, since the
// place was indexed; it is now two narrow rows, the place written and the queue entry
// deleted. The entries themselves are never updated again after they are written.
export function auditPlacesMigration(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<unknown>) {
      // One entry at each place, one place for each entry: two sequencers can never fork the log.
      await db.schema.createTable('audit_places')
        .addColumn('leaf_index', bigint, (c) => c.primaryKey())
        .addColumn('event_id', bigint, (c) => c.notNull().unique())
        .addColumn('leaf_hash', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createTable('audit_unplaced')
        .addColumn('event_id', bigint, (c) => c.primaryKey())
        .execute()
      await sql`insert into audit_places (leaf_index, event_id, leaf_hash)
        select leaf_index, id, leaf_hash from audit_events where leaf_index is not null`.execute(db)
      await sql`insert into audit_unplaced (event_id) select id from audit_events where leaf_index is null`.execute(db)
      await db.schema.dropIndex('audit_events_unplaced').execute()
      await db.schema.dropIndex('audit_events_leaf').execute()
      await db.schema.alterTable('audit_events').dropColumn('leaf_hash').execute()
      await db.schema.alterTable('audit_events').dropColumn('leaf_index').execute()
      if (dialect === 'postgres') {
        // Once per statement, however many entries it inserts (a group commit writes many).
        await sql`create function audit_events_queue() returns trigger language plpgsql as $$
          begin insert into audit_unplaced (event_id) select id from inserted; return null; end $$`.execute(db)
        await sql`create trigger audit_events_queue after insert on audit_events
          referencing new table as inserted for each statement execute function audit_events_queue()`.execute(db)
      } else {
        await sql`create trigger audit_events_queue after insert on audit_events
          begin insert into audit_unplaced (event_id) values (new.id); end`.execute(db)
      }
    },
    async down(db: Kysely<unknown>) {
      await sql`drop trigger audit_events_queue${dialect === 'postgres' ? sql` on audit_events` : sql``}`.execute(db)
      if (dialect === 'postgres') await sql`drop function audit_events_queue()`.execute(db)
      await db.schema.alterTable('audit_events').addColumn('leaf_index', bigint).execute()
      await db.schema.alterTable('audit_events').addColumn('leaf_hash', 'text').execute()
      await sql`update audit_events set leaf_index = p.leaf_index, leaf_hash = p.leaf_hash
        from audit_places p where p.event_id = audit_events.id`.execute(db)
      await db.schema.createIndex('audit_events_leaf').on('audit_events').column('leaf_index').unique().execute()
      await db.schema.createIndex('audit_events_unplaced').on('audit_events').column('id').where(sql.ref('leaf_index'), 'is', null).execute()
      await db.schema.dropTable('audit_unplaced').execute()
      await db.schema.dropTable('audit_places').execute()
    },
  }
}
