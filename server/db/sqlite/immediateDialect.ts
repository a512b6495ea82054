import { setTimeout as delay } from 'node:timers/promises'
import SQLite from 'better-sqlite3'
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver, type SqliteDialectConfig } from 'kysely'
import { DirectSqliteAdapter } from './directPath.js'

/** How long a statement waits for another connection's write lock before SQLITE_BUSY. */
export const busyTimeoutMs = 5000

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
export class ImmediateSqliteDialect extends SqliteDialect {
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
