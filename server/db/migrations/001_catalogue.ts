import { sql, type Kysely, type Migration } from 'kysely'
import type { Dialect } from '../schema.js'

const text3 = ['vi', 'en', 'fr'] as const

export function catalogueMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      let agencies = db.schema.createTable('agencies')
        .addColumn('id', 'text', (c) => c.primaryKey())
      for (const l of text3) agencies = agencies.addColumn(`name_${l}`, 'text', (c) => c.notNull())
      for (const l of text3) agencies = agencies.addColumn(`description_${l}`, 'text', (c) => c.notNull())
      await agencies
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('website', 'text')
        .addColumn('source_note', 'text')
        .execute()

      let lifeEvents = db.schema.createTable('life_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
      for (const l of text3) lifeEvents = lifeEvents.addColumn(`name_${l}`, 'text', (c) => c.notNull())
      for (const l of text3) lifeEvents = lifeEvents.addColumn(`description_${l}`, 'text', (c) => c.notNull())
      await lifeEvents.addColumn('position', 'integer', (c) => c.notNull().defaultTo(0)).execute()

      let services = db.schema.createTable('services')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('agency_id', 'text', (c) => c.notNull().references('agencies.id'))
        .addColumn('code', 'text')
      for (const l of text3) services = services.addColumn(`name_${l}`, 'text', (c) => c.notNull())
      for (const l of text3) services = services.addColumn(`description_${l}`, 'text', (c) => c.notNull())
      await services
        .addColumn('documents', 'text', (c) => c.notNull())
        .addColumn('fee_vnd', 'integer')
        .addColumn('fee_note', 'text')
        .addColumn('processing_days', 'integer')
        .addColumn('online_level', 'text', (c) => c.notNull().check(sql`online_level in ('full', 'partial')`))
        .addColumn('applicants', 'text', (c) => c.notNull())
        .addColumn('popularity', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('legal_basis', 'text')
        .addColumn('source_note', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('services_agency').on('services').columns(['agency_id', 'popularity']).execute()
      await db.schema.createIndex('services_popularity').on('services').columns(['popularity', 'id']).execute()

      await db.schema.createTable('service_life_events')
        .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
        .addColumn('life_event_id', 'text', (c) => c.notNull().references('life_events.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('service_life_events_pk', ['service_id', 'life_event_id'])
        .execute()
      await db.schema.createIndex('service_life_events_event').on('service_life_events')
        .columns(['life_event_id', 'service_id']).execute()

      await db.schema.createTable('catalogue_seeds')
        .addColumn('source', 'text', (c) => c.primaryKey())
        .addColumn('checksum', 'text', (c) => c.notNull())
        .addColumn('loaded_at', 'text', (c) => c.notNull())
        .execute()

      // The search index holds text folded by the application (lower case, no
      // diacritics, đ → d), so both engines match the same tokens.
      if (dialect === 'sqlite') {
        await sql`create virtual table service_search using fts5(
          service_id unindexed, title_vi, title_en, title_fr, body,
          tokenize = 'unicode61 remove_diacritics 2')`.execute(db)
      } else {
        await sql`create table service_search (
          service_id text primary key references services(id) on delete cascade,
          title_vi text not null, title_en text not null, title_fr text not null, body text not null,
          document tsvector generated always as (
            setweight(to_tsvector('simple', title_vi), 'A') ||
            setweight(to_tsvector('simple', title_en), 'B') ||
            setweight(to_tsvector('simple', title_fr), 'C') ||
            setweight(to_tsvector('simple', body), 'D')) stored)`.execute(db)
        await sql`create index service_search_document on service_search using gin (document)`.execute(db)
      }
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['service_search', 'catalogue_seeds', 'service_life_events', 'services', 'life_events', 'agencies']) {
        await db.schema.dropTable(table).ifExists().execute()
      }
    },
  }
}
