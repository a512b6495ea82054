import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { createCommitBatcher } from '../../server/db/commitBatcher.js'
import { prepared } from '../../server/db/prepared.js'
import { writeAudit } from '../../server/db/audit.js'
import { createTestDatabase, usePostgres, type TestDatabase } from '../support/testApp.js'

// On both engines (npm test: SQLite; npm run test:pg: PostgreSQL).
let database: TestDatabase
before(async () => { database = await createTestDatabase() })
after(async () => { await database.dispose() })

const audit = (action: string) => ({
  at: new Date().toISOString(), action, actor_id: null, subject_id: null, ip: null, request_id: null, detail: null, on_behalf_of: null,
})

describe('group commit', () => {
  // SQLite's batches: test/integration/sqliteWrites.test.ts.
  it('commits pieces that arrive together in fewer transactions than pieces', { skip: !usePostgres && 'PostgreSQL only' }, async () => {
    const { db, dialect } = database.handle
    const batcher = createCommitBatcher(db, { dialect })
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => batcher.run(async (trx) => {
      await trx.insertInto('audit_events').values(audit(`shared-${i}`)).execute()
      return String((await sql<{ id: string }>`select txid_current() as id`.execute(trx)).rows[0]!.id)
    })))
    assert.ok(new Set(ids).size < ids.length, `20 pieces in ${new Set(ids).size} transactions`)
  })

  it('with a linger, pieces that come one by one share a transaction; a full batch does not wait', async () => {
    const { db, dialect } = database.handle
    const lingering = createCommitBatcher(db, { dialect, lingerMs: 200 })
    const settled: number[] = []
    const pieces: Array<Promise<number>> = []
    for (let i = 0; i < 4; i++) {
      pieces.push(lingering.run(async (trx) => {
        await trx.insertInto('audit_events').values(audit(`linger-${i}`)).execute()
        return i
      }).then((v) => { settled.push(v); return v }))
      await new Promise((r) => setTimeout(r, 10))
    }
    assert.deepEqual(settled, [], 'the first piece waited for the others')
    assert.deepEqual(await Promise.all(pieces), [0, 1, 2, 3])
    assert.equal((await db.selectFrom('audit_events').select('id').where('action', 'like', 'linger-%').execute()).length, 4)

    const full = createCommitBatcher(db, { dialect, lingerMs: 60_000, maxBatch: 3 })
    const started = performance.now()
    await Promise.all([0, 1, 2].map((i) => full.run(async (trx) => { await trx.insertInto('audit_events').values(audit(`full-${i}`)).execute() })))
    assert.ok(performance.now() - started < 5_000, 'three pieces of three went at once')
  })

  it('a piece that fails, in JavaScript or in the database, leaves nothing; the others commit', async () => {
    const { db, dialect } = database.handle
    const batcher = createCommitBatcher(db, { dialect })
    await db.insertInto('counters').values({ name: 'taken-once', value: 1 }).execute()
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => batcher.run(async (trx) => {
      await trx.insertInto('audit_events').values(audit(`piece-${i}`)).execute()
      if (i % 10 === 3) throw new Error(`piece ${i} refused`)
      // A unique violation: on PostgreSQL it aborts the whole transaction it happens in.
      if (i % 10 === 7) await trx.insertInto('counters').values({ name: 'taken-once', value: 2 }).execute()
      return i
    })))
    const refused = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []))
    assert.deepEqual(refused, [3, 7, 13, 17, 23, 27])
    assert.deepEqual(outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : [])), Array.from({ length: 30 }, (_, i) => i).filter((i) => !refused.includes(i)))
    const saved = (await db.selectFrom('audit_events').select('action').where('action', 'like', 'piece-%').execute()).map((r) => r.action).sort()
    assert.deepEqual(saved, Array.from({ length: 30 }, (_, i) => i).filter((i) => !refused.includes(i)).map((i) => `piece-${i}`).sort())
  })

  it('a piece that catches its own database error does not take the others down with it', async () => {
    const { db, dialect } = database.handle
    const batcher = createCommitBatcher(db, { dialect })
    await db.insertInto('counters').values({ name: 'taken-twice', value: 1 }).execute()
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.run(async (trx) => {
      if (i === 9) {
        // The last of the batch, as a repository does when a unique value is taken: catch, and answer "no".
        try {
          await trx.insertInto('counters').values({ name: 'taken-twice', value: 2 }).execute()
        } catch {
          return 'taken'
        }
      }
      await trx.insertInto('audit_events').values(audit(`caught-${i}`)).execute()
      return 'saved'
    })))
    assert.equal(outcomes[9], 'taken')
    const saved = (await db.selectFrom('audit_events').select('action').where('action', 'like', 'caught-%').execute()).map((r) => r.action).sort()
    // Every piece said "saved" but the one that caught: all of theirs are there.
    assert.deepEqual(saved, outcomes.flatMap((o, i) => (o === 'saved' ? [`caught-${i}`] : [])).sort())
  })

  // Deferred writes (server/db/prepared.ts): on PostgreSQL they wait for the end of the
  // batch's transaction and go as one statement; on SQLite they run when called.
  const deferredCount = prepared((db, a: { name: string, value: number }) => sql`insert into counters (name, value) select ${a.name}, ${a.value} where ${a.value} >= 0`, { deferred: true })
  const deferredDrop = prepared((db, a: { name: string }) => db.deleteFrom('counters').where('name', '=', a.name), { deferred: true })

  it('deferred writes land with their commit, in the order they were made, inserts and deletes of several kinds', async () => {
    const { db, dialect } = database.handle
    const batcher = createCommitBatcher(db, { dialect })
    await db.insertInto('counters').values(Array.from({ length: 10 }, (_, i) => ({ name: `drop-${i}`, value: i }))).execute()
    const seen = await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.run(async (trx) => {
      await writeAudit(trx, { action: `deferred-${i}-a` })
      await writeAudit(trx, { action: `deferred-${i}-b`, detail: { reference: `R${i}` } })
      await deferredCount(trx, { name: `kept-${i}`, value: i })
      await deferredDrop(trx, { name: `drop-${i}` })
      return (await trx.selectFrom('audit_events').select('id').where('action', '=', `deferred-${i}-a`).execute()).length
    })))
    // On PostgreSQL the rows were not there yet when the piece read; on SQLite they were.
    assert.deepEqual(seen, Array(10).fill(dialect === 'postgres' ? 0 : 1))
    const rows = await db.selectFrom('audit_events').select(['action', 'reference']).where('action', 'like', 'deferred-%').orderBy('id').execute()
    assert.deepEqual(rows.map((r) => r.action), Array.from({ length: 10 }, (_, i) => [`deferred-${i}-a`, `deferred-${i}-b`]).flat())
    assert.deepEqual(rows.map((r) => r.reference), Array.from({ length: 10 }, (_, i) => [null, `R${i}`]).flat())
    const counters = await db.selectFrom('counters').select(['name', 'value']).where((eb) => eb.or([eb('name', 'like', 'kept-%'), eb('name', 'like', 'drop-%')])).orderBy('value').execute()
    assert.deepEqual(counters.map((c) => ({ name: c.name, value: Number(c.value) })), Array.from({ length: 10 }, (_, i) => ({ name: `kept-${i}`, value: i })))
  })

  it('a deferred write that fails fails its own piece; the other pieces commit', async () => {
    const { db, dialect } = database.handle
    const batcher = createCommitBatcher(db, { dialect })
    await db.insertInto('counters').values({ name: 'deferred-taken', value: 1 }).execute()
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => batcher.run(async (trx) => {
      await writeAudit(trx, { action: `failing-${i}` })
      // The name is taken: the unique violation comes at the flush on PostgreSQL.
      if (i === 5) await deferredCount(trx, { name: 'deferred-taken', value: 2 })
      return i
    })))
    assert.deepEqual(outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : [])), [5])
    const saved = (await db.selectFrom('audit_events').select('action').where('action', 'like', 'failing-%').execute()).map((r) => r.action).sort()
    assert.deepEqual(saved, Array.from({ length: 12 }, (_, i) => `failing-${i}`).filter((a) => a !== 'failing-5').sort())
    assert.equal(Number((await db.selectFrom('counters').select('value').where('name', '=', 'deferred-taken').executeTakeFirstOrThrow()).value), 1)
  })

  it('more deferred values than one statement may carry go in several statements', async () => {
    const { db, dialect } = database.handle
    const batcher = createCommitBatcher(db, { dialect })
    // 200 pieces of 20 audit rows of 10 values each: 40,000 values, above the 30,000 a statement is given.
    await Promise.all(Array.from({ length: 200 }, (_, i) => batcher.run(async (trx) => {
      for (let j = 0; j < 20; j++) await writeAudit(trx, { action: `many-${i}-${j}` })
    })))
    const count = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', 'like', 'many-%').executeTakeFirstOrThrow()
    assert.equal(Number(count.n), 4_000)
  })

  it('refuses to defer what cannot wait', () => {
    const reading = prepared((db, a: { id: number }) => db.updateTable('counters').set({ value: a.id }).where('value', '=', a.id).returning('name'), { deferred: true })
    return assert.rejects(reading(database.handle.db, { id: 1 }), /only a write without RETURNING/)
  })
})
