import type { Kysely, Migration } from 'kysely'
import { sql } from 'kysely'
import type { Dialect } from '../schema.js'

// The search moved into each instance's memory (server/domain/catalogue/searchEngine.ts):
// the database keeps each service's folded search text in a plain table, without the
// full-text index (FTS5, or a tsvector with its GIN index) that no query reads any more.
// Queries that found nothing are counted, by their folded text alone, for the people
// who keep the catalogue and the search terms (services/search-terms.json).
export function searchInMemoryMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('search_documents')
        .addColumn('service_id', 'text', (c) => c.primaryKey().references('services.id').onDelete('cascade'))
        .addColumn('title_vi', 'text', (c) => c.notNull())
        .addColumn('title_en', 'text', (c) => c.notNull())
        .addColumn('title_fr', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute()
      await sql`insert into search_documents (service_id, title_vi, title_en, title_fr, body)
        select service_id, title_vi, title_en, title_fr, body from service_search`.execute(db)
      await db.schema.dropTable('service_search').execute()
      await db.schema.createTable('search_misses')
        .addColumn('query', 'text', (c) => c.primaryKey())
        .addColumn('count', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
        .addColumn('first_at', 'text', (c) => c.notNull())
        .addColumn('last_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('search_misses_count').on('search_misses').columns(['count', 'query']).execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('search_misses').execute()
      if (dialect === 'sqlite') {
        await sql`create virtual table service_search using fts5(
          service_id unindexed, title_vi, title_en, title_fr, body,
          tokenize = 'unicode61 remove_diacritics 2')`.execute(db)
        await sql`insert into service_search (rowid, service_id, title_vi, title_en, title_fr, body)
          select s.rowid, d.service_id, d.title_vi, d.title_en, d.title_fr, d.body
          from search_documents d join services s on s.id = d.service_id`.execute(db)
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
        await sql`insert into service_search (service_id, title_vi, title_en, title_fr, body)
          select service_id, title_vi, title_en, title_fr, body from search_documents`.execute(db)
      }
      await db.schema.dropTable('search_documents').execute()
    },
  }
}
