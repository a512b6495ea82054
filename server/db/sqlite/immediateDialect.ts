import { setTimeout as delay } from 'node:timers/promises'
import SQLite from 'better-sqlite3'
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver, type QueryResult, type SqliteDialectConfig } from 'kysely'
import { committed, DirectSqliteAdapter } from './directPath.js'
import type { WalFlusher } from './walFlush.js'

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
  constructor(private readonly settings: SqliteDialectConfig, private readonly sqlite: SQLite.Database, private readonly flusher?: WalFlusher) {
    super(settings)
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings, this.sqlite, this.flusher)
  }

  override createAdapter(): DialectAdapter {
    return new DirectSqliteAdapter(this.sqlite, this.flusher)
  }
}

const isBusy = (error: unknown) => error instanceof SQLite.SqliteError && error.code === 'SQLITE_BUSY'

class ImmediateSqliteDriver extends SqliteDriver {
  private durable: DatabaseConnection | undefined
  /** The flush of the transaction that just ended on the connection, awaited once the connection is free. */
  private ending: Promise<void> | undefined
  constructor(settings: SqliteDialectConfig, private readonly sqlite: SQLite.Database, private readonly flusher?: WalFlusher) {
    super(settings)
  }

  /**
   * The one connection, whose commits and writes outside a transaction settle once on
   * disk. A transaction's COMMIT starts the flush and returns: the connection is given
   * back first (the next transaction can begin while the log syncs), and then whoever
   * held it waits for the flush (releaseConnection), or, for a transaction committed by
   * hand, reads it off `flusher.lastCommit` (the group commit does).
   */
  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection()
    const { sqlite, flusher } = this
    if (!flusher) return connection
    const ending = (flush: Promise<void>) => { this.ending = flush }
    this.durable ??= {
      async executeQuery<Row>(query: CompiledQuery): Promise<QueryResult<Row>> {
        const inTransaction = sqlite.inTransaction
        const result = await connection.executeQuery<Row>(query)
        if (!committed(sqlite, inTransaction, query.sql)) return result
        if (inTransaction) ending(flusher.lastCommit = flusher.flushed())
        else await flusher.flushed()
        return result
      },
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    }
    return this.durable
  }

  override async releaseConnection(): Promise<void> {
    const ending = this.ending
    this.ending = undefined
    await super.releaseConnection()
    await ending
  }

  override async destroy(): Promise<void> {
    this.flusher?.close()
    await super.destroy()
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const until = Date.now() + busyTimeoutMs
    // The connection is this transaction's until it ends (Kysely holds its mutex), so
    // the setting is not seen by any other statement. PRAGMA busy_timeout takes effect
    // when it is compiled, not when it runs: a prepared one run again changes nothing
    // (the first BEGIN of a connection then slept up to the whole timeout), so exec.
    this.sqlite.exec('pragma busy_timeout = 0')
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
      this.sqlite.exec(`pragma busy_timeout = ${busyTimeoutMs}`)
    }
  }
}
