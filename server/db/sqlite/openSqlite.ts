import { mkdirSync } from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely } from 'kysely'
import type { Database } from '../schema.js'
import { busyTimeoutMs, ImmediateSqliteDialect } from './immediateDialect.js'
import { withStatementCache } from './statementCache.js'
import { WalFlusher } from './walFlush.js'

/** Pages of write-ahead log after which the web thread's own commits checkpoint (4 KiB each). */
export const webCheckpointPages = 10_000

export interface SqliteOptions {
  dataDir: string
  /** file name inside dataDir; ':memory:' for a private in-memory database */
  sqliteFile?: string | undefined
  /**
   * 'full': every commit is on disk before it is acknowledged (by the flush of
   * sqlite/walFlush.ts, off the event loop); 'normal' is for the background thread only.
   */
  synchronous?: 'full' | 'normal' | undefined
}

/** The embedded database: write-ahead log, durable commits, BEGIN IMMEDIATE, cached statements. */
export function openSqlite(options: SqliteOptions): Kysely<Database> {
  const file = options.sqliteFile ?? 'portal.db'
  let location = file
  if (file !== ':memory:') {
    mkdirSync(options.dataDir, { recursive: true })
    location = path.join(options.dataDir, file)
  }
  const sqlite = withStatementCache(new SQLite(location))
  sqlite.pragma('journal_mode = WAL')
  // NORMAL: COMMIT writes the log without waiting for the disk. Unless told 'normal', the
  // commit then waits for the log's flush before it is acknowledged, off the event loop:
  // a committed transaction survives power loss, not only a killed process.
  sqlite.pragma('synchronous = NORMAL')
  const flusher = options.synchronous === 'normal' || file === ':memory:' ? undefined : new WalFlusher(`${location}-wal`)
  sqlite.pragma('foreign_keys = ON')
  // The group commit gives each piece of work a savepoint (server/db/commitBatcher.ts).
  // A savepoint keeps the pages it changes in a sub-journal, a temporary file by default:
  // a write system call for every page, and a file opened and deleted per transaction.
  // In memory they cost nothing of the sort (docs/performance.md, "Behind the comments").
  // The sub-journal is only for rolling back within a transaction; WAL keeps durability.
  sqlite.pragma('temp_store = MEMORY')
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`)
  // Copying the write-ahead log back into the database (a checkpoint) runs inside the
  // COMMIT that finds the log past wal_autocheckpoint pages: 1,000 by default, a
  // checkpoint every few dozen commits that writes pages and syncs twice, an average of
  // about 0.6 ms a commit under submissions. The background thread checkpoints every
  // second (server/background/worker.ts), so the web thread's connection only does when
  // the log has grown ten times as long, if the background thread is not there or behind.
  if (options.synchronous !== 'normal') sqlite.pragma(`wal_autocheckpoint = ${webCheckpointPages}`)
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }, sqlite, flusher) })
}
