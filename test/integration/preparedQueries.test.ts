// Queries compiled once (server/db/prepared.ts), on SQLite and, under TEST_DB=pg, PostgreSQL.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { sql, type KyselyPlugin } from 'kysely'
import { prepared } from '../../server/db/prepared.js'
import { runDirectly } from '../../server/db/sqlite/directPath.js'
import { createTestDatabase, usePostgres, type TestDatabase } from '../support/testApp.js'

// What only SQLite has: PostgreSQL runs every query through its pool, so these would pass there without testing anything.
const sqliteOnly = { skip: usePostgres && 'the direct path past Kysely\'s connection provider is SQLite\'s alone' }

describe('prepared queries', () => {
  let database: TestDatabase
  const db = () => database.handle.db
  before(async () => { database = await createTestDatabase() })
  after(async () => { await database.dispose() })

  const insertAudit = prepared((q, a: { action: string, actor: string | null, at: string }) => q.insertInto('audit_events').values({
    at: a.at, action: a.action, actor_id: a.actor, subject_id: null, ip: '10.0.0.1', request_id: null, detail: null, on_behalf_of: null,
  }))
  const byAction = prepared((q, a: { action: string }) => q.selectFrom('audit_events').select(['action', 'actor_id', 'ip']).where('action', '=', a.action))

  it('binds each call\'s values, keeps the constants, and reads back what it wrote', async () => {
    for (const [action, actor] of [['prepared.one', 'a'], ['prepared.two', null], ['prepared.one', 'b']] as const) {
      await insertAudit(db(), { action, actor, at: new Date().toISOString() })
    }
    const ones = (await byAction(db(), { action: 'prepared.one' })).rows
    assert.deepEqual(ones.map((r) => [r.action, r.actor_id, r.ip]), [['prepared.one', 'a', '10.0.0.1'], ['prepared.one', 'b', '10.0.0.1']])
    assert.deepEqual((await byAction(db(), { action: 'prepared.two' })).rows.map((r) => r.actor_id), [null])
    assert.equal((await byAction(db(), { action: 'prepared.none' })).rows.length, 0)
  })

  it('runs inside a transaction, which rolls back with it', async () => {
    await assert.rejects(db().transaction().execute(async (trx) => {
      await insertAudit(trx, { action: 'prepared.rolled-back', actor: null, at: new Date().toISOString() })
      assert.equal((await byAction(trx, { action: 'prepared.rolled-back' })).rows.length, 1, 'seen inside the transaction')
      throw new Error('roll back')
    }), /roll back/)
    assert.equal((await byAction(db(), { action: 'prepared.rolled-back' })).rows.length, 0)
  })

  it('compiles sql templates too', async () => {
    const count = prepared((_q, a: { action: string }) => sql<{ n: number }>`select count(*) as n from audit_events where action = ${a.action}`)
    assert.equal(Number((await count(db(), { action: 'prepared.one' })).rows[0]!.n), 2)
  })

  it('refuses a query whose argument is not a bound parameter (its shape would depend on the value)', async () => {
    const inlined = prepared((q, a: { limit: number }) => q.selectFrom('audit_events').select('id').limit(a.limit > 5 ? 10 : 1))
    await assert.rejects(inlined(db(), { limit: 3 }), /limit not bound as parameters/)
  })

  // On SQLite a prepared query runs on the connection at once, past Kysely's connection
  // provider (server/db/sqlite/directPath.ts), unless a transaction is open on it.
  const waited = Symbol('waited')
  const within = <T>(ms: number, p: Promise<T>) => Promise.race([p, new Promise<typeof waited>((r) => setTimeout(() => r(waited), ms))])

  it('takes the direct path: fails when a Kysely release changes the internals it reads', sqliteOnly, async () => {
    const query = db().selectFrom('audit_events').select('id').limit(1).compile()
    assert.ok(runDirectly(db(), query), 'runDirectly ran the query on the connection (getExecutor().adapter is still the SQLite adapter it made)')
    await db().transaction().execute(async (trx) => {
      assert.ok(runDirectly(trx, query), 'a transaction\'s own query runs in it')
      assert.equal(runDirectly(db(), query), undefined, 'a query from outside waits for the open transaction')
    })
  })

  it('does not queue behind a connection held with no transaction open', sqliteOnly, async () => {
    await insertAudit(db(), { action: 'prepared.held', actor: null, at: new Date().toISOString() })
    await db().connection().execute(async () => {
      const read = await within(1_000, byAction(db(), { action: 'prepared.held' }))
      assert.notEqual(read, waited, 'answered while Kysely\'s connection was held')
      assert.equal(read === waited ? 0 : read.rows.length, 1)
    })
  })

  it('never reads into, nor writes into, a transaction that is open and not its own', sqliteOnly, async () => {
    let outside: Promise<unknown> | undefined
    let written: Promise<unknown> | undefined
    await assert.rejects(db().transaction().execute(async (trx) => {
      await insertAudit(trx, { action: 'prepared.uncommitted', actor: null, at: new Date().toISOString() })
      // Started while the transaction is open; on SQLite they wait for it to end.
      outside = byAction(db(), { action: 'prepared.uncommitted' })
      written = insertAudit(db(), { action: 'prepared.outside', actor: null, at: new Date().toISOString() })
      throw new Error('roll back')
    }), /roll back/)
    const seen = await outside as { rows: unknown[] }
    await written
    assert.equal(seen.rows.length, 0, 'the rolled-back row was never seen')
    assert.equal((await byAction(db(), { action: 'prepared.outside' })).rows.length, 1, 'the write outside was not rolled back with the transaction')
  })

  it('keeps the plugins of the executor it is given', async () => {
    const marking: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => ({ ...args.result, rows: args.result.rows.map((r) => ({ ...r, marked: true })) }),
    }
    const rows = (await byAction(db().withPlugin(marking), { action: 'prepared.one' })).rows as Array<{ marked?: boolean }>
    assert.equal(rows.length, 2)
    assert.ok(rows.every((r) => r.marked), 'transformResult ran')
  })
})
