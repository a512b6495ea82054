import { createRequire } from 'node:module'
import { Kysely, PostgresDialect, sql } from 'kysely'
import type PgModule from 'pg'
import type { Database, Dialect } from './schema.js'
import { statementNames } from './prepared.js'
import { openSqlite } from './sqlite/openSqlite.js'
import { aloneOnFile } from './sqlite/startLock.js'

export type Db = Kysely<Database>

export interface DatabaseHandle {
  db: Db
  dialect: Dialect
  /** PostgreSQL: the schema tables live in */
  schema: string | undefined
  /** true when the database answers a trivial query */
  ping(): Promise<boolean>
  /**
   * Runs `fn` while no other process starting on the same SQLite file does: migrations
   * there take no lock across processes. A second SQLite file holds an exclusive lock
   * for the time (the operating system lets go of it if the process dies). PostgreSQL
   * needs none: its steps lock for themselves.
   */
  startingAlone<T>(fn: () => Promise<T>): Promise<T>
  /** SQLite: copies what the write-ahead log holds into the database, without waiting for readers; nothing on PostgreSQL. */
  checkpoint(): Promise<void>
  close(): Promise<void>
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined
  dataDir: string
  /** SQLite file name inside dataDir; ':memory:' for a private in-memory database */
  sqliteFile?: string
  poolSize?: number
  /** PostgreSQL schema to work in (tests give each suite its own) */
  schema?: string
  /**
   * SQLite: 'full' (the default) puts every commit on disk before it is acknowledged
   * (server/db/sqlite/walFlush.ts). 'normal' is for the background thread only, whose
   * writes can all be derived again (server/background/worker.ts).
   */
  synchronous?: 'full' | 'normal'
}

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  const db = options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize, options.schema) : openSqlite(options)
  const dialect: Dialect = options.databaseUrl ? 'postgres' : 'sqlite'
  return {
    db,
    dialect,
    schema: options.databaseUrl ? options.schema ?? 'public' : undefined,
    async ping() {
      try {
        await sql`select 1`.execute(db)
        return true
      } catch {
        return false
      }
    },
    async startingAlone(fn) {
      const file = options.sqliteFile ?? 'portal.db'
      if (options.databaseUrl || file === ':memory:') return fn()
      return aloneOnFile(options.dataDir, file, fn)
    },
    async checkpoint() {
      if (!options.databaseUrl) await sql`pragma wal_checkpoint(PASSIVE)`.execute(db)
    },
    close: () => db.destroy(),
  }
}

/** A unique constraint refused the row (SQLite or PostgreSQL). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}

// Loaded only when PostgreSQL is configured: an embedded-SQLite instance never pays for it.
const loadPg = () => createRequire(import.meta.url)('pg') as typeof PgModule

// Connections a thread keeps to PostgreSQL. Its group commit sends a batch's writes over
// one; the rest serve the reads beside it. Four, not pg's ten as before: the same work
// with fewer server processes awake at once, 380–479 against 346–465 submissions/s in
// four alternating rounds, and two no different from four (docs/performance.md).
const connectionsPerThread = 4

function openPostgres(connectionString: string, poolSize = connectionsPerThread, schema?: string): Db {
  const pool = new (loadPg().Pool)({
    connectionString, max: poolSize, connectionTimeoutMillis: 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  // An idle client that loses its connection emits 'error'; without a listener
  // that would crash the process. The pool replaces the client.
  pool.on('error', () => {})
  // The statements of every submission, delivery and session read (server/db/prepared.ts)
  // go as named statements: each connection parses and plans one once, then only binds
  // and runs it. Kysely sends SQL text and values; the name is added here.
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown
    client.query = ((text: unknown, values?: unknown) => {
      const name = typeof text === 'string' ? statementNames.get(text) : undefined
      return name ? query({ name, text, values }) : query(text, values)
    }) as typeof client.query
  })
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}
