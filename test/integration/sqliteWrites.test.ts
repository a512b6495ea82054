// SQLite writes on the embedded default: the group commit, and two connections on one
// file (the web thread's and the background thread's) taking turns for the write lock.
import { test as nodeTest } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { openDatabase } from '../../server/db/database.js'
import { migrateToLatest } from '../../server/db/migrate.js'
import { createCommitBatcher } from '../../server/db/commitBatcher.js'
import { prepared } from '../../server/db/prepared.js'
import { DirectSqliteAdapter } from '../../server/db/sqlite/directPath.js'
import { webCheckpointPages } from '../../server/db/sqlite/openSqlite.js'
import { usePostgres } from '../support/testApp.js'

// SQLite only: under TEST_DB=pg the same file would test nothing new.
const test = usePostgres ? nodeTest.skip : nodeTest

async function withDatabase(run: (database: ReturnType<typeof openDatabase>, file: string) => Promise<void>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sqlite-writes-'))
  const database = openDatabase({ dataDir })
  try {
    await migrateToLatest(database)
    await run(database, path.join(dataDir, 'portal.db'))
  } finally {
    await database.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const audit = (action: string) => ({
  at: new Date().toISOString(), action, actor_id: null, subject_id: null, ip: null, request_id: null, detail: null, on_behalf_of: null,
})

test('a transaction waits for another connection\'s write lock without stalling the event loop', { timeout: 15_000 }, async () => {
  await withDatabase(async (database, file) => {
    // Also the very first transaction of a connection just opened, whose statements were
    // never compiled before: a PRAGMA takes effect when compiled, so a prepared
    // "busy_timeout = 0" run again left SQLite's own busy handler in charge there.
    const fresh = openDatabase({ dataDir: path.dirname(file) })
    try {
      for (const [name, handle] of [['migrated', database], ['just opened', fresh]] as const) {
        // The other connection (as the background thread's would) holds the write lock.
        const other = new SQLite(file)
        other.exec('begin immediate')
        other.prepare('insert into audit_events (at, action) values (?, ?)').run(new Date().toISOString(), `other-${name}`)
        // While this thread waits for the lock, its timers still run: the first releases the
        // lock 100 ms later. SQLite's own busy handler would sleep inside the call instead,
        // so the lock could never be released from here and the wait would end in SQLITE_BUSY.
        let ticks = 0
        const ticker = setInterval(() => ticks++, 5)
        setTimeout(() => other.exec('commit'), 100)
        const started = performance.now()
        await handle.db.transaction().execute(async (trx) => {
          await trx.insertInto('audit_events').values(audit(`mine-${name}`)).execute()
        })
        clearInterval(ticker)
        other.close()
        assert.ok(performance.now() - started >= 90, `${name}: the transaction began only after the other connection committed`)
        assert.ok(ticks >= 5, `${name}: timers ran while waiting (${ticks} ticks)`)
        const actions = (await handle.db.selectFrom('audit_events').select('action').where('action', 'in', [`other-${name}`, `mine-${name}`]).orderBy('id').execute()).map((r) => r.action)
        assert.deepEqual(actions, [`other-${name}`, `mine-${name}`])
      }
    } finally {
      await fresh.close()
    }
  })
})

test('a transaction that cannot get the lock within the busy timeout fails, and the connection stays usable', { timeout: 15_000 }, async () => {
  await withDatabase(async (database, file) => {
    const other = new SQLite(file)
    other.exec('begin immediate')
    await assert.rejects(database.db.transaction().execute(async (trx) => {
      await trx.insertInto('audit_events').values(audit('never')).execute()
    }), (e: Error & { code?: string }) => e.code === 'SQLITE_BUSY')
    other.exec('rollback')
    other.close()
    // The busy timeout is back for statements outside transactions, and writes work.
    const { rows } = await sql<{ timeout: number }>`pragma busy_timeout`.execute(database.db)
    assert.equal(rows[0]!.timeout, 5000)
    await database.db.insertInto('audit_events').values(audit('after')).execute()
    const actions = (await database.db.selectFrom('audit_events').select('action').where('action', 'in', ['never', 'after']).execute()).map((r) => r.action)
    assert.deepEqual(actions, ['after'])
  })
})

test('the connection is durable (WAL, each commit flushed before it is acknowledged) and keeps savepoint journals in memory', async () => {
  await withDatabase(async (database) => {
    const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(database.db)).rows[0] as object)[0] as unknown
    assert.equal(await pragma('journal_mode'), 'wal')
    // NORMAL: COMMIT does not sync; the flush below does, off the event loop.
    assert.equal(await pragma('synchronous'), 1)
    assert.equal(await pragma('temp_store'), 2, 'MEMORY: no temporary file per savepoint')
  })
})

test('the web thread\'s commits leave checkpoints to the background thread, which copies the whole log', async () => {
  await withDatabase(async (database, file) => {
    const pragma = async (text: string) => (await sql.raw(`pragma ${text}`).execute(database.db)).rows[0] as Record<string, number>
    assert.equal(Object.values(await pragma('wal_autocheckpoint'))[0], webCheckpointPages)
    const background = openDatabase({ dataDir: path.dirname(file), synchronous: 'normal' })
    try {
      const own = (await sql.raw('pragma wal_autocheckpoint').execute(background.db)).rows[0] as Record<string, number>
      assert.equal(Object.values(own)[0], 1000, 'the background connection keeps SQLite\'s default')
      const detail = JSON.stringify({ text: 'x'.repeat(2000) })
      for (let i = 0; i < 100; i++) await database.db.insertInto('audit_events').values({ ...audit(`row-${i}`), detail }).execute()
      // The rows are in the log: the web thread's commits did not copy them into the file.
      const before = statSync(file).size
      await background.checkpoint()
      assert.ok(statSync(file).size >= before + 100 * 2000, `the checkpoint copied the rows into the database file (${before} → ${statSync(file).size} bytes)`)
      const after = await pragma('wal_checkpoint(PASSIVE)')
      assert.equal(after['checkpointed'], after['log'], 'nothing left to copy')
    } finally {
      await background.close()
    }
  })
})

test('a commit settles only after the write-ahead log is flushed; a read asks for no flush', async () => {
  await withDatabase(async (database) => {
    const adapter = database.db.getExecutor().adapter
    assert.ok(adapter instanceof DirectSqliteAdapter && adapter.flusher, 'the web connection flushes its commits')
    const flusher = adapter.flusher
    const flushed = flusher.flushed.bind(flusher)
    // Until the test opens the gate, every flush asked for waits.
    function gated() {
      const state = { asked: 0, open: () => {} }
      const gate = new Promise<void>((resolve) => { state.open = resolve })
      flusher.flushed = () => {
        state.asked++
        return gate.then(flushed)
      }
      return state
    }
    const turns = async () => { for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve)) }
    // The flushes `work` asks for, after checking that nothing settled before them.
    async function flushes<T>(work: () => Promise<T>): Promise<number> {
      const gate = gated()
      let settled = false
      const done = work().then(() => { settled = true })
      await turns()
      if (gate.asked) assert.equal(settled, false, 'acknowledged before its flush')
      gate.open()
      await done
      flusher.flushed = flushed
      return gate.asked
    }
    const insertAudit = prepared((q, a: { action: string }) => q.insertInto('audit_events').values({ ...audit('prepared'), action: a.action }))
    const byAction = prepared((q, a: { action: string }) => q.selectFrom('audit_events').select('action').where('action', '=', a.action))

    const before = flusher.syncs
    assert.equal(await flushes(() => database.db.insertInto('audit_events').values(audit('built')).execute()), 1, 'a write outside a transaction')
    assert.equal(await flushes(() => insertAudit(database.db, { action: 'direct' })), 1, 'a compiled write on the direct path')
    assert.equal(await flushes(() => database.db.transaction().execute(async (trx) => {
      await trx.insertInto('audit_events').values(audit('in-a-transaction')).execute()
      await insertAudit(trx, { action: 'in-a-transaction' })
    })), 1, 'a transaction: one flush, at its commit')
    const batcher = createCommitBatcher(database.db, { dialect: 'sqlite' })
    assert.equal(await flushes(() => Promise.all(Array.from({ length: 20 }, (_, i) => batcher.run((trx) => insertAudit(trx, { action: `batch-${i}` }), true)))), 1,
      'a group commit: one flush for the batch')
    assert.equal(await flushes(() => database.db.selectFrom('audit_events').selectAll().execute()), 0, 'a read')
    assert.equal(await flushes(() => byAction(database.db, { action: 'direct' })), 0, 'a compiled read')
    assert.equal(await flushes(() => database.db.transaction().execute((trx) => trx.selectFrom('audit_events').selectAll().execute())), 1,
      'a transaction that only read still ends with a commit')
    assert.equal(flusher.syncs - before, 5, 'each flush asked for was a real sync')

    // The connection is free while a commit's log syncs: the next transaction begins and
    // commits meanwhile, and neither is acknowledged before its flush.
    const gate = gated()
    const settled: string[] = []
    const both = ['first', 'second'].map((name) => database.db.transaction()
      .execute((trx) => trx.insertInto('audit_events').values(audit(`pipelined-${name}`)).execute())
      .then(() => settled.push(name)))
    await turns()
    assert.equal(gate.asked, 2, 'the second transaction committed while the first one\'s flush was pending')
    assert.deepEqual(settled, [])
    gate.open()
    await Promise.all(both)
    flusher.flushed = flushed
    assert.deepEqual(settled, ['first', 'second'])
    assert.equal((await byAction(database.db, { action: 'batch-19' })).rows.length, 1)
  })
})

test('group commit: concurrent pieces of work share a transaction, each all-or-nothing', async () => {
  await withDatabase(async (database) => {
    const batcher = createCommitBatcher(database.db, { dialect: 'sqlite' })
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => batcher.run(async (trx) => {
      await trx.insertInto('audit_events').values(audit(`work-${i}`)).execute()
      if (i % 10 === 3) throw new Error(`work ${i} refused`)
      return i
    })))
    assert.equal(outcomes.filter((o) => o.status === 'rejected').length, 3)
    const saved = (await database.db.selectFrom('audit_events').select('action').where('action', 'like', 'work-%').execute()).map((r) => r.action).sort()
    const expected = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 10 !== 3).map((i) => `work-${i}`).sort()
    assert.deepEqual(saved, expected, 'the refused pieces left nothing; the others are all there')
  })
})

test('group commit: a single statement runs without a savepoint; its failure leaves the others committed', async () => {
  await withDatabase(async (database) => {
    const batcher = createCommitBatcher(database.db, { dialect: 'sqlite' })
    await database.db.insertInto('counters').values({ name: 'taken', value: 1 }).execute()
    const outcomes = await Promise.allSettled([
      batcher.run((trx) => trx.insertInto('audit_events').values(audit('single-1')).execute(), true),
      batcher.run((trx) => trx.insertInto('counters').values({ name: 'taken', value: 2 }).execute(), true),
      batcher.run(async (trx) => {
        await trx.insertInto('audit_events').values(audit('piece')).execute()
        await trx.insertInto('audit_events').values(audit('piece-2')).execute()
      }),
      batcher.run((trx) => trx.insertInto('audit_events').values(audit('single-2')).execute(), true),
    ])
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    const saved = (await database.db.selectFrom('audit_events').select('action').execute()).map((r) => r.action).sort()
    assert.deepEqual(saved, ['piece', 'piece-2', 'single-1', 'single-2'])
    assert.equal((await database.db.selectFrom('counters').select('value').where('name', '=', 'taken').executeTakeFirstOrThrow()).value, 1)
  })
})
