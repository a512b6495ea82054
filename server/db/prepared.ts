import type { CompiledQuery, Kysely, QueryResult } from 'kysely'
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
): (executor: Executor, args: Args) => Promise<QueryResult<Row>> {
  const compiled = new WeakMap<object, { query: CompiledQuery<Row>, slots: Array<(args: Args) => unknown> }>()

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
    return { query, slots }
  }

  return async (executor, args) => {
    const adapter = executor.getExecutor().adapter
    let entry = compiled.get(adapter)
    if (!entry) {
      entry = compile(executor)
      compiled.set(adapter, entry)
    }
    const query: CompiledQuery<Row> = { ...entry.query, parameters: entry.slots.map((slot) => slot(args)) }
    return runDirectly(executor, query) ?? executor.executeQuery<Row>(query)
  }
}
