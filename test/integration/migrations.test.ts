// An upgrade: a database as the previous release left it, with applications in it,
// brought to the latest schema by the start's migrations, loses nothing.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { migrateToLatest } from '../../server/db/migrate.js'
import { citizen, submitted } from '../support/submissions.js'
import { createTestPortal, usePostgres, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => { portal = await createTestPortal({ upTo: '006_email_and_counters' }) })
after(async () => { await portal.close() })

async function columnsOf(table: string): Promise<string[]> {
  const { db, schema } = portal.database.handle
  if (usePostgres) {
    const rows = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_schema = ${schema} and table_name = ${table}`.execute(db)
    return rows.rows.map((r) => r.column_name)
  }
  return (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows.map((r) => r.name)
}

describe('migration 007: applications.submit_key, never written, is dropped', () => {
  it('keeps every application, its events, outbox row and foreign keys, and the portal goes on working', async () => {
    const db = portal.database.handle.db
    const user = await citizen(portal, 'truoc-nang-cap@example.vn')
    const before = await submitted(portal, user)
    assert.ok((await columnsOf('applications')).includes('submit_key'))

    assert.deepEqual((await migrateToLatest(portal.database.handle)).slice(0, 1), ['007_drop_submit_key'])
    const columns = await columnsOf('applications')
    assert.ok(!columns.includes('submit_key'))
    assert.equal(columns.length, 19)
    const kept = await db.selectFrom('applications').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow()
    assert.equal(kept.reference, before.reference)
    assert.equal(kept.status, 'submitted')
    assert.equal((await db.selectFrom('application_events').select('id').where('application_id', '=', before.id).execute()).length, 1)
    assert.equal((await db.selectFrom('outbox').select('id').where('application_id', '=', before.id).execute()).length, 1)
    // Still enforced: a document of no application is refused.
    await assert.rejects(db.insertInto('documents').values({
      id: 'orphan', application_id: 'no-such-application', field_id: 'x', sha256: 'x', size: 1, content_type: 'application/pdf', filename: 'x.pdf', uploaded_by: user.id, created_at: new Date().toISOString(),
    }).execute())
    if (!usePostgres) {
      const indexes = (await sql<{ name: string }>`select name from pragma_index_list('applications')`.execute(db)).rows.map((r) => r.name)
      for (const name of ['applications_applicant', 'applications_agency']) assert.ok(indexes.includes(name), `${name} in ${indexes.join(', ')}`)
    }

    await portal.dispatcher.drain()
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', before.id).executeTakeFirstOrThrow()).status, 'received')
    const after = await submitted(portal, await citizen(portal, 'sau-nang-cap@example.vn'))
    await portal.dispatcher.drain()
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', after.id).executeTakeFirstOrThrow()).status, 'received')
  })
})
