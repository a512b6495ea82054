import type SQLite from 'better-sqlite3'
import { LRUCache } from 'lru-cache'

/**
 * Kysely prepares every query afresh; preparing costs more than running most of ours.
 * Statements are kept by their SQL text (bounded) and reused, except one still busy
 * being iterated (a streamed export), for which a fresh one is prepared.
 */
export function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const cache = new LRUCache<string, SQLite.Statement>({ max: 500 })
  const prepare = (source: string) => {
    const cached = cache.get(source)
    if (cached && !cached.busy) return cached
    const statement = sqlite.prepare(source)
    if (!cached) cache.set(source, statement)
    return statement
  }
  return new Proxy(sqlite, {
    get: (target, property, receiver) => (property === 'prepare' ? prepare : Reflect.get(target, property, receiver) as unknown),
  })
}
