import { mkdirSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { LRUCache } from 'lru-cache'
import { CompiledQuery, Kysely, PostgresDialect, SqliteAdapter, SqliteDialect, SqliteDriver, sql, type DatabaseConnection, type DialectAdapter, type Driver, type QueryResult, type SqliteDialectConfig } from 'kysely'
import type PgModule from 'pg'
import type { Database, Dialect } from './schema.js'

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
   * SQLite: FULL (the default) syncs every commit to disk. NORMAL is for the background
   * thread only, whose writes can all be derived again (server/backgroundWorker.ts).
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
      const lock = new SQLite(path.join(options.dataDir, `${file}.start-lock`))
      try {
        lock.pragma('busy_timeout = 120000')
        lock.exec('begin exclusive')
        try {
          return await fn()
        } finally {
          lock.exec('commit')
        }
      } finally {
        lock.close()
      }
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

function openPostgres(connectionString: string, poolSize = 10, schema?: string): Db {
  const pool = new (loadPg().Pool)({
    connectionString, max: poolSize, connectionTimeoutMillis: 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  // An idle client that loses its connection emits 'error'; without a listener
  // that would crash the process. The pool replaces the client.
  pool.on('error', () => {})
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

function openSqlite(options: DatabaseOptions): Db {
  const file = options.sqliteFile ?? 'portal.db'
  let location = file
  if (file !== ':memory:') {
    mkdirSync(options.dataDir, { recursive: true })
    location = path.join(options.dataDir, file)
  }
  const sqlite = withStatementCache(new SQLite(location))
  sqlite.pragma('journal_mode = WAL')
  // FULL: a committed transaction survives power loss, not only a killed process.
  sqlite.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
  sqlite.pragma('foreign_keys = ON')
  // The group commit gives each piece of work a savepoint (server/db/commitBatcher.ts).
  // A savepoint keeps the pages it changes in a sub-journal, a temporary file by default:
  // a write system call for every page, and a file opened and deleted per transaction.
  // In memory they cost nothing of the sort (105 → 35 writes per submission, measured).
  // The sub-journal is only for rolling back within a transaction; WAL keeps durability.
  sqlite.pragma('temp_store = MEMORY')
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`)
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }, sqlite) })
}

/** How long a statement waits for another connection's write lock before SQLITE_BUSY. */
const busyTimeoutMs = 5000

/**
 * Transactions that take SQLite's write lock when they begin (BEGIN IMMEDIATE). The web
 * thread and the background thread each have a connection; a deferred transaction that
 * read first and then wrote after the other had committed would fail at once with
 * SQLITE_BUSY instead of waiting its turn.
 *
 * The wait for the lock is asynchronous: SQLite's own busy handler sleeps inside the
 * call (1, 2, 5 … ms), which would stall the whole event loop of the thread, every
 * request it is serving included, whenever the other thread is committing. Here BEGIN
 * is tried without waiting and tried again a millisecond later, up to busy_timeout,
 * while the thread goes on parsing requests (which then join the next group commit).
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig, private readonly sqlite: SQLite.Database) {
    super(settings)
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings, this.sqlite)
  }

  override createAdapter(): DialectAdapter {
    return new DirectSqliteAdapter(this.sqlite)
  }
}

/** SQLite's adapter, knowing the one connection its queries run on (see runDirectly). */
class DirectSqliteAdapter extends SqliteAdapter {
  constructor(readonly sqlite: SQLite.Database) {
    super()
  }
}

/**
 * Runs a compiled query on SQLite's connection at once, without Kysely's connection
 * provider, or returns undefined when it must wait its turn through Kysely.
 *
 * Kysely hands out SQLite's single connection through a mutex: a query takes it, runs,
 * gives it back, with a few promises and closures each time. For the statements every
 * submission runs that cost as much as SQLite's own work, and was a fifth of what a
 * request allocated. better-sqlite3 runs a statement synchronously, so nothing can come
 * between; what matters is in which transaction it runs:
 * - a transaction's query runs in that transaction, which is open on the connection;
 * - any other query runs directly only when no transaction is open. When one is (a
 *   group commit between two pieces of work), it waits through Kysely, as before, so it
 *   never reads what is not yet committed nor writes into someone else's transaction.
 */
export function runDirectly<Row>(executor: Kysely<Database>, query: CompiledQuery<Row>): QueryResult<Row> | undefined {
  const inner = executor.getExecutor()
  const adapter = inner.adapter
  if (!(adapter instanceof DirectSqliteAdapter) || inner.plugins.length) return undefined
  if (adapter.sqlite.inTransaction !== executor.isTransaction) return undefined
  const statement = adapter.sqlite.prepare(query.sql)
  if (statement.reader) return { rows: statement.all(query.parameters) as Row[] }
  const { changes, lastInsertRowid } = statement.run(query.parameters)
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) }
}

const isBusy = (error: unknown) => error instanceof SQLite.SqliteError && error.code === 'SQLITE_BUSY'

class ImmediateSqliteDriver extends SqliteDriver {
  private readonly noWaiting: SQLite.Statement
  private readonly waiting: SQLite.Statement
  constructor(settings: SqliteDialectConfig, sqlite: SQLite.Database) {
    super(settings)
    this.noWaiting = sqlite.prepare('pragma busy_timeout = 0')
    this.waiting = sqlite.prepare(`pragma busy_timeout = ${busyTimeoutMs}`)
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const until = Date.now() + busyTimeoutMs
    // The connection is this transaction's until it ends (Kysely holds its mutex), so
    // the setting is not seen by any other statement.
    this.noWaiting.get()
    try {
      for (;;) {
        try {
          await connection.executeQuery(CompiledQuery.raw('begin immediate'))
          return
        } catch (error) {
          if (!isBusy(error) || Date.now() >= until) throw error
        }
        await delay(1)
      }
    } finally {
      this.waiting.get()
    }
  }
}

/**
 * Kysely prepares every query afresh; preparing costs more than running most of ours.
 * Statements are kept by their SQL text (bounded) and reused, except one still busy
 * being iterated (a streamed export), for which a fresh one is prepared.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
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
