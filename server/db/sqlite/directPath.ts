import type SQLite from 'better-sqlite3'
import { SqliteAdapter, type CompiledQuery, type Kysely, type QueryResult } from 'kysely'
import type { Database } from '../schema.js'
import type { WalFlusher } from './walFlush.js'

// Reaches into Kysely's executor (getExecutor().adapter, plugins, isTransaction): the
// one place that does; test/integration/preparedQueries.test.ts fails loudly when a
// Kysely release changes what it relies on.

/**
 * SQLite's adapter, knowing the one connection its queries run on (see runDirectly) and
 * what makes its commits durable (none for a connection whose writes can be derived again).
 */
export class DirectSqliteAdapter extends SqliteAdapter {
  constructor(readonly sqlite: SQLite.Database, readonly flusher: WalFlusher | undefined) {
    super()
  }
}

/** What makes the commits of `db`'s connection durable: undefined off SQLite, or where its writes can be derived again. */
export function flusherOf(db: Kysely<Database>): WalFlusher | undefined {
  const adapter = db.getExecutor().adapter
  return adapter instanceof DirectSqliteAdapter ? adapter.flusher : undefined
}

/**
 * Whether a statement just run has committed something that must reach the disk before
 * it is acknowledged: it ended a transaction (COMMIT), or it wrote outside one.
 */
export const committed = (sqlite: SQLite.Database, wasInTransaction: boolean, sql: string) =>
  !sqlite.inTransaction && (wasInTransaction || !sqlite.prepare(sql).readonly)

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
export function runDirectly<Row>(executor: Kysely<Database>, query: CompiledQuery<Row>): QueryResult<Row> | Promise<QueryResult<Row>> | undefined {
  const inner = executor.getExecutor()
  const adapter = inner.adapter
  if (!(adapter instanceof DirectSqliteAdapter) || inner.plugins.length) return undefined
  const { sqlite, flusher } = adapter
  const inTransaction = sqlite.inTransaction
  if (inTransaction !== executor.isTransaction) return undefined
  const statement = sqlite.prepare(query.sql)
  let result: QueryResult<Row>
  if (statement.reader) {
    result = { rows: statement.all(query.parameters) as Row[] }
  } else {
    const { changes, lastInsertRowid } = statement.run(query.parameters)
    result = { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) }
  }
  // A write outside a transaction is acknowledged once it is on disk (sqlite/walFlush.ts).
  return flusher && committed(sqlite, inTransaction, query.sql) ? flusher.flushed().then(() => result) : result
}
