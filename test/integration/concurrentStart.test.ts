import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, describe, it } from 'node:test'
import pg from 'pg'
import { openDatabase } from '../../server/db/database.js'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { newDataDir, portOf, startPortal } from '../support/process.js'
import { postgresUrl, usePostgres } from '../support/testApp.js'

// A fresh, empty database for the instances to race on: its own PostgreSQL database,
// or a new data directory for SQLite.
async function emptyDatabase(): Promise<{ env: Record<string, string>, dataDir: string, drop(): Promise<void> }> {
  const dataDir = newDataDir()
  if (!usePostgres) return { env: {}, dataDir, drop: async () => {} }
  const name = `start_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: postgresUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = postgresUrl.replace(/\/[^/]*$/, `/${name}`)
  return {
    env: { DATABASE_URL: url }, dataDir,
    async drop() {
      const c = new pg.Client({ connectionString: postgresUrl })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

describe('several instances starting at the same moment', () => {
  const cleanups: Array<() => Promise<void>> = []
  after(async () => { for (const c of cleanups) await c() })

  it('all become ready on one empty database: migrations, catalogue, demo accounts and registry once', { timeout: 90_000 }, async () => {
    const database = await emptyDatabase()
    cleanups.push(database.drop)
    const instances = [1, 2, 3].map(() => startPortal({ ...database.env, BACKGROUND: 'inline' }, database.dataDir))
    const outcomes = await Promise.all(instances.map((p) => Promise.race([
      portOf(p).then((port) => ({ port })),
      p.exited.then((code) => ({ exited: code, output: p.output() })),
    ])))
    for (const o of outcomes) assert.ok('port' in o, `an instance exited: ${JSON.stringify(o)}`)
    for (const o of outcomes as Array<{ port: number }>) {
      const res = await fetch(`http://127.0.0.1:${o.port}/readyz`)
      assert.equal(res.status, 200)
    }
    for (const p of instances) p.child.kill('SIGTERM')
    await Promise.all(instances.map((p) => p.exited))

    const handle = openDatabase({ databaseUrl: database.env['DATABASE_URL'], dataDir: database.dataDir })
    try {
      const users = await handle.db.selectFrom('users').select('email').execute()
      assert.deepEqual(users.map((u) => u.email).sort(), demoAccounts.map((a) => a.email).sort())
      const created = await handle.db.selectFrom('audit_events').select('id').where('action', '=', 'account.created').execute()
      assert.equal(created.length, demoAccounts.length, 'each demo account created once')
      const services = await handle.db.selectFrom('services').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      assert.ok(Number(services.n) >= 55)
    } finally {
      await handle.close()
    }
  })
})
