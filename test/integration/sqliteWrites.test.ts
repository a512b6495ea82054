// SQLite writes on the embedded default: the group commit, and two connections on one
// file (the web thread's and the background thread's) taking turns for the write lock.
import { test as nodeTest } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { openDatabase } from '../../server/db/database.js'
import { migrateToLatest } from '../../server/db/migrate.js'
import { createCommitBatcher } from '../../server/db/commitBatcher.js'
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

test('a transaction waits for another connection\'s write lock without stalling the event loop', async () => {
  await withDatabase(async (database, file) => {
    // The other connection (as the background thread's would) holds the write lock.
    const other = new SQLite(file)
    other.exec('begin immediate')
    other.prepare('insert into audit_events (at, action) values (?, \'other\')').run(new Date().toISOString())
    // While this thread waits for the lock, its timers still run: the first releases the
    // lock 100 ms later. SQLite's own busy handler would sleep inside the call instead,
    // so the lock could never be released from here and the wait would end in SQLITE_BUSY.
    let ticks = 0
    const ticker = setInterval(() => ticks++, 5)
    setTimeout(() => other.exec('commit'), 100)
    const started = performance.now()
    await database.db.transaction().execute(async (trx) => {
      await trx.insertInto('audit_events').values(audit('mine')).execute()
    })
    clearInterval(ticker)
    other.close()
    assert.ok(performance.now() - started >= 90, 'the transaction began only after the other connection committed')
    assert.ok(ticks >= 5, `timers ran while waiting (${ticks} ticks)`)
    const actions = (await database.db.selectFrom('audit_events').select('action').where('action', 'in', ['other', 'mine']).orderBy('id').execute()).map((r) => r.action)
    assert.deepEqual(actions, ['other', 'mine'])
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

test('the connection is durable (WAL, synchronous FULL) and keeps savepoint journals in memory', async () => {
  await withDatabase(async (database) => {
    const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(database.db)).rows[0] as object)[0] as unknown
    assert.equal(await pragma('journal_mode'), 'wal')
    assert.equal(await pragma('synchronous'), 2, 'FULL: a commit survives power loss')
    assert.equal(await pragma('temp_store'), 2, 'MEMORY: no temporary file per savepoint')
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
