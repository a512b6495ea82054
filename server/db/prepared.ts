import { CompiledQuery, type Kysely, type QueryResult } from 'kysely'
import { runDirectly } from './sqlite/directPath.js'
import type { Database } from './schema.js'

type Executor = Kysely<Database>
/** A query builder (Compilable) or a sql`…` template (RawBuilder): both compile. */
interface Buildable<Row> { compile(executor: Executor): CompiledQuery<Row> }

/**
 * On PostgreSQL, the SQL of every query `prepared` compiled, with a statement name:
 * each connection parses and plans it once (server/db/database.ts names them).
 */
export const statementNames = new Map<string, string>()

const standIn = (name: string) => `\u0000${name}\u0000`
const nameOf = (value: unknown) => (typeof value === 'string' && value.startsWith('\u0000') && value.endsWith('\u0000') ? value.slice(1, -1) : undefined)

/**
 * A query Kysely builds and compiles once; each call binds new values in the places of
 * its arguments and runs it. For the statements run for every submission, delivery and
 * session read: building a query with Kysely costs several times what SQLite takes to
 * run it, and it is most of what a request allocates (docs/performance.md).
 *
 * `build` is called with stand-ins for the arguments, so the query must have the same
 * shape whatever the values: every column named, no optional parts, no lists. An
 * argument that does not end up as a bound parameter is refused when the query is first
 * compiled. Compiled once per dialect (the same SQL serves a database and its
 * transactions). On SQLite it then runs on the connection at once when it can
 * (runDirectly in sqlite/directPath.ts), not through Kysely's connection provider.
 */
export function prepared<Args extends object, Row = never>(
  build: (db: Executor, args: Args) => Buildable<Row>,
  options: { deferred?: boolean } = {},
): (executor: Executor, args: Args) => Promise<QueryResult<Row>> {
  const compiled = new WeakMap<object, { query: CompiledQuery<Row>, slots: Array<(args: Args) => unknown>, shape: DeferredShape | undefined }>()

  function compile(executor: Executor) {
    const used = new Set<string>()
    const standIns = new Proxy({} as Args, {
      get: (_target, name) => {
        used.add(String(name))
        return standIn(String(name))
      },
    })
    const query = build(executor, standIns).compile(executor)
    const bound = new Set<string>()
    const slots = query.parameters.map((value) => {
      const name = nameOf(value)
      if (name === undefined) return () => value
      bound.add(name)
      return (args: Args) => args[name as keyof Args]
    })
    const unbound = [...used].filter((name) => !bound.has(name))
    if (unbound.length) throw new Error(`prepared query: ${unbound.join(', ')} not bound as parameters in: ${query.sql}`)
    if (!statementNames.has(query.sql)) statementNames.set(query.sql, `portal_${statementNames.size + 1}`)
    return { query, slots, shape: options.deferred ? deferredShape(query.sql) : undefined }
  }

  return async (executor, args) => {
    const adapter = executor.getExecutor().adapter
    let entry = compiled.get(adapter)
    if (!entry) {
      entry = compile(executor)
      compiled.set(adapter, entry)
    }
    const parameters = entry.slots.map((slot) => slot(args))
    const pending = entry.shape && deferring.get(executor)
    if (pending) {
      const rows = pending.get(entry.shape!)
      if (rows) rows.push(parameters)
      else pending.set(entry.shape!, [parameters])
      return { rows: [] }
    }
    const query: CompiledQuery<Row> = { ...entry.query, parameters }
    return runDirectly(executor, query) ?? executor.executeQuery<Row>(query)
  }
}

/**
 * Deferred writes. A statement `prepared` with `deferred: true` is a write whose
 * transaction never reads what it wrote and never writes the same rows again (the
 * events, audit entries, outbox and mail rows a submission or a delivery adds). Inside
 * a transaction that defers writes (PostgreSQL's group commit, commitBatcher.ts) it is
 * not sent when called: it waits for the transaction's `flush`, which sends everything
 * that waited as one statement. The inserts of one statement become one multi-row
 * insert, and the different statements its parts, as data-modifying WITH queries (which
 * see the same snapshot: the reason for the rule above). A batch of twenty submissions
 * thus makes one round trip for its hundred rows where it made a hundred; its errors
 * surface at the flush, and fail the transaction as they would have at the call.
 */
interface DeferredShape {
  sql: string
  /** an insert of one row: the statement up to its tuple of values, and that tuple ($1, $2, …) */
  values?: { head: string, tuple: string }
}
const deferring = new WeakMap<object, Map<DeferredShape, unknown[][]>>()
// Below PostgreSQL's limit of 65,535 parameters a statement.
const maxParameters = 30_000

function deferredShape(sqlText: string): DeferredShape {
  const verb = /^\s*(insert|update|delete)\b/i.exec(sqlText)?.[1]
  // A $ in a quoted string would be renumbered with the placeholders when statements are joined.
  if (!verb || /\breturning\b/i.test(sqlText) || sqlText.match(/'[^']*'/g)?.some((quoted) => quoted.includes('$'))) throw new Error(`prepared query: only a write without RETURNING or $ in a string can be deferred: ${sqlText}`)
  const values = /^(insert into [^$]* values )(\([^()]*\))$/i.exec(sqlText.trim())
  return values ? { sql: sqlText, values: { head: values[1]!, tuple: values[2]! } } : { sql: sqlText }
}

const renumbered = (sqlText: string, offset: number) => (offset ? sqlText.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`) : sqlText)

/**
 * From now on, the deferred writes run with `trx` wait; `flush` sends them (one statement,
 * or a few when they hold more values than a statement may) and tells whether it sent any.
 */
export function deferWrites(trx: Executor): { flush: () => Promise<boolean> } {
  const pending = new Map<DeferredShape, unknown[][]>()
  deferring.set(trx, pending)
  return {
    async flush() {
      deferring.delete(trx)
      if (!pending.size) return false
      const statements = [...pending].flatMap(([shape, rows]) => statementsOf(shape, rows))
      while (statements.length) {
        // As many statements as stay under the limit of values, and one at least.
        let count = 1
        let size = statements[0]!.parameters.length
        while (count < statements.length && size + statements[count]!.parameters.length <= maxParameters) size += statements[count++]!.parameters.length
        const { sql, parameters } = joined(statements.splice(0, count))
        await trx.executeQuery(CompiledQuery.raw(sql, parameters))
      }
      return true
    },
  }
}

interface Statement { sql: string, parameters: unknown[] }

/** The rows of one deferred statement: an insert's as multi-row inserts, any other's one by one. */
function statementsOf(shape: DeferredShape, rows: unknown[][]): Statement[] {
  if (!shape.values || rows.length === 1) return rows.map((parameters) => ({ sql: shape.sql, parameters }))
  const { head, tuple } = shape.values
  const width = rows[0]!.length
  const perStatement = Math.max(1, Math.floor(maxParameters / Math.max(1, width)))
  const statements: Statement[] = []
  for (let start = 0; start < rows.length; start += perStatement) {
    const part = rows.slice(start, start + perStatement)
    statements.push({ sql: head + part.map((_, i) => renumbered(tuple, i * width)).join(', '), parameters: part.flat() })
  }
  return statements
}

/** Several statements as one: all but the last as data-modifying WITH queries, their placeholders renumbered. */
function joined(statements: Statement[]): Statement {
  if (statements.length === 1) return statements[0]!
  let offset = 0
  const texts = statements.map((s) => {
    const text = renumbered(s.sql, offset)
    offset += s.parameters.length
    return text
  })
  const last = texts.pop()!
  return { sql: `with ${texts.map((t, i) => `w${i} as (${t})`).join(', ')} ${last}`, parameters: statements.flatMap((s) => s.parameters) }
}
