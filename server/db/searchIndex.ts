import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { Database, Dialect, ServiceSearchTable } from './schema.js'
import type { SearchFilter } from '../domain/catalogue/repository.js'
import type { Lang } from '../domain/catalogue/types.js'

/**
 * The two engines behind one shape. SQLite: FTS5 with bm25; PostgreSQL: a weighted
 * tsvector with ts_rank. Both rank services whose title (in any language) holds every
 * word above those matched through the description, then by relevance with the
 * reader's language weighted highest, scaled by popularity.
 */
export interface SearchIndex {
  replace(trx: Kysely<Database>, doc: ServiceSearchTable): Promise<void>
  /** the WHERE clause that selects matching services; `s` is the services alias */
  matches(filter: SearchFilter): RawBuilder<unknown>
  /** ORDER BY expressions, best first */
  order(filter: SearchFilter): RawBuilder<unknown>
  /** FROM clause: the index joined to services as s */
  from(): RawBuilder<unknown>
}

const titleWeight = { own: 10, other: 6, body: 1 }
// Relevance is scaled by up to 2× for the most used services, so that between two
// similar matches the one people use more comes first ("passport" → the passport,
// not the report of a lost one), while a much better match still wins.
const popularityBoost = sql`(1.0 + s.popularity / 100.0)`

function ftsPhrase(token: string, prefix: boolean): string {
  // Tokens hold only letters and digits (see textFolding), so quoting is enough.
  return `"${token}"${prefix ? '*' : ''}`
}

function ftsQuery(tokens: string[]): string {
  return tokens.map((t, i) => ftsPhrase(t, i === tokens.length - 1)).join(' ')
}

const sqliteIndex: SearchIndex = {
  async replace(trx, doc) {
    // FTS5 cannot index its UNINDEXED service_id, so rows are addressed by rowid,
    // which is kept equal to the service row's rowid.
    const rowid = sql`(select rowid from services where id = ${doc.service_id})`
    await sql`delete from service_search where rowid = ${rowid}`.execute(trx)
    await sql`insert into service_search (rowid, service_id, title_vi, title_en, title_fr, body)
      values (${rowid}, ${doc.service_id}, ${doc.title_vi}, ${doc.title_en}, ${doc.title_fr}, ${doc.body})`.execute(trx)
  },
  from: () => sql`service_search f join services s on s.rowid = f.rowid`,
  matches: ({ tokens }) => sql`service_search match ${ftsQuery(tokens)}`,
  order({ tokens, lang }) {
    const w = (l: Lang) => (l === lang ? titleWeight.own : titleWeight.other)
    const inTitle = `{title_vi title_en title_fr} : (${ftsQuery(tokens)})`
    return sql`f.rowid in (select rowid from service_search where service_search match ${inTitle}) desc,
      bm25(service_search, 0, ${w('vi')}, ${w('en')}, ${w('fr')}, ${titleWeight.body}) * ${popularityBoost}, s.id`
  },
}

function tsQuery(tokens: string[], weights = ''): string {
  return tokens.map((t, i) => `${t}:${i === tokens.length - 1 ? '*' : ''}${weights}`).join(' & ')
}

const postgresIndex: SearchIndex = {
  async replace(trx, doc) {
    await trx.insertInto('service_search').values(doc)
      .onConflict((oc) => oc.column('service_id').doUpdateSet({
        title_vi: doc.title_vi, title_en: doc.title_en, title_fr: doc.title_fr, body: doc.body,
      }))
      .execute()
  },
  from: () => sql`service_search f join services s on s.id = f.service_id`,
  matches: ({ tokens }) => sql`f.document @@ to_tsquery('simple', ${tsQuery(tokens)})`,
  order({ tokens, lang }) {
    const w = (l: Lang) => (l === lang ? 1 : titleWeight.other / titleWeight.own)
    // ts_rank's weights are ordered {D, C, B, A}: body, title_fr, title_en, title_vi.
    const weights = `{${titleWeight.body / titleWeight.own}, ${w('fr')}, ${w('en')}, ${w('vi')}}`
    return sql`f.document @@ to_tsquery('simple', ${tsQuery(tokens, 'ABC')}) desc,
      ts_rank(${weights}::float4[], f.document, to_tsquery('simple', ${tsQuery(tokens)}), 1) * ${popularityBoost} desc, s.id`
  },
}

export function searchIndexFor(dialect: Dialect): SearchIndex {
  return dialect === 'sqlite' ? sqliteIndex : postgresIndex
}
