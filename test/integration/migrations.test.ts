// An upgrade: a database as the previous release left it, with applications in it,
// brought to the latest schema by the start's migrations, loses nothing.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { migrateToLatest } from '../../server/db/migrate.js'
import { citizen, submitted, temporaryResidenceAnswers } from '../support/submissions.js'
import { createTestDatabase, createTestPortal, usePostgres, type TestDatabase, type TestPortal } from '../support/testApp.js'

let database: TestDatabase
let portal: TestPortal | undefined
before(async () => { database = await createTestDatabase({ upTo: '006_email_and_counters' }) })
after(async () => { await (portal ? portal.close() : database.dispose()) })

const at = '2026-11-20T08:00:00.000Z'

/** What release 006 left: written with that schema's own columns, as its code wrote them. */
async function releaseSixRows() {
  const { db } = database.handle
  await sql`insert into agencies (id, name_vi, name_en, name_fr, description_vi, description_en, description_fr, level)
    values ('cong-an-cap-xa', 'Công an xã', 'Commune police', 'Police communale', '-', '-', '-', 'commune')`.execute(db)
  await sql`insert into services (id, agency_id, name_vi, name_en, name_fr, description_vi, description_en, description_fr, documents,
    online_level, applicants, popularity, updated_at) values ('dang-ky-tam-tru', 'cong-an-cap-xa', 'Đăng ký tạm trú', 'Temporary residence',
    'Résidence temporaire', '-', '-', '-', '[]', 'full', 'citizen', 0, ${at})`.execute(db)
  await sql`insert into users (id, email, email_verified_at, role, full_name, failed_sign_ins, created_at, updated_at)
    values ('u-truoc', 'truoc-nang-cap@example.vn', ${at}, 'citizen', 'Nguyễn Văn An', 0, ${at}, ${at})`.execute(db)
  await sql`insert into applications (id, reference, service_id, agency_id, applicant_id, status, answers, profile, created_at, updated_at, submitted_at)
    values ('a-truoc', 'HS-2611-TRUO-CNCP', 'dang-ky-tam-tru', 'cong-an-cap-xa', 'u-truoc', 'submitted', ${JSON.stringify(temporaryResidenceAnswers())},
    '{"fullName":"Nguyễn Văn An"}', ${at}, ${at}, ${at})`.execute(db)
  await sql`insert into application_events (application_id, at, actor_id, actor_kind, from_status, to_status)
    values ('a-truoc', ${at}, 'u-truoc', 'citizen', 'draft', 'submitted')`.execute(db)
  await sql`insert into outbox (id, application_id, agency_id, status, attempts, next_attempt_at, created_at)
    values ('o-truoc', 'a-truoc', 'cong-an-cap-xa', 'pending', 0, 0, ${at})`.execute(db)
  return { id: 'a-truoc', reference: 'HS-2611-TRUO-CNCP', userId: 'u-truoc' }
}

async function columnsOf(table: string): Promise<string[]> {
  const { db, schema } = database.handle
  if (usePostgres) {
    const rows = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_schema = ${schema} and table_name = ${table}`.execute(db)
    return rows.rows.map((r) => r.column_name)
  }
  return (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows.map((r) => r.name)
}

describe('migration 007: applications.submit_key, never written, is dropped', () => {
  it('keeps every application, its events, outbox row and foreign keys, and the portal goes on working', async () => {
    const db = database.handle.db
    const before = await releaseSixRows()
    assert.ok((await columnsOf('applications')).includes('submit_key'))

    assert.deepEqual((await migrateToLatest(database.handle)).slice(0, 1), ['007_drop_submit_key'])
    const upgraded = portal = await createTestPortal({ database })
    const columns = await columnsOf('applications')
    assert.ok(!columns.includes('submit_key'))
    // 20 after 007; 011 adds the due date, the stopped clock and the officer assigned.
    assert.equal(columns.length, 23)
    const kept = await db.selectFrom('applications').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow()
    assert.equal(kept.reference, before.reference)
    assert.equal(kept.status, 'submitted')

    assert.equal((await db.selectFrom('application_events').select('id').where('application_id', '=', before.id).execute()).length, 1)
    assert.equal((await db.selectFrom('outbox').select('id').where('application_id', '=', before.id).execute()).length, 1)
    // Still enforced: a document of no application is refused.
    await assert.rejects(db.insertInto('documents').values({
      id: 'orphan', application_id: 'no-such-application', field_id: 'x', sha256: 'x', size: 1, content_type: 'application/pdf', filename: 'x.pdf', uploaded_by: before.userId, created_at: new Date().toISOString(),
    }).execute())
    if (!usePostgres) {
      const indexes = (await sql<{ name: string }>`select name from pragma_index_list('applications')`.execute(db)).rows.map((r) => r.name)
      for (const name of ['applications_applicant', 'applications_agency']) assert.ok(indexes.includes(name), `${name} in ${indexes.join(', ')}`)
    }

    await upgraded.dispatcher.drain()
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', before.id).executeTakeFirstOrThrow()).status, 'received')
    const after = await submitted(upgraded, await citizen(upgraded, 'sau-nang-cap@example.vn'))
    await upgraded.dispatcher.drain()
    assert.equal((await db.selectFrom('applications').select('status').where('id', '=', after.id).executeTakeFirstOrThrow()).status, 'received')
  })
})

describe('migration 011: deadlines for applications under way', () => {
  it('gives each its due date from its submission, in working days, and stops the clock of one waiting for its applicant', async () => {
    const older = await createTestDatabase({ upTo: '010_audit_log' })
    try {
      const { db } = older.handle
      await sql`insert into agencies (id, name_vi, name_en, name_fr, description_vi, description_en, description_fr, level)
        values ('cong-an-cap-xa', 'Công an xã', 'Commune police', 'Police communale', '-', '-', '-', 'commune')`.execute(db)
      await sql`insert into services (id, agency_id, name_vi, name_en, name_fr, description_vi, description_en, description_fr, documents,
        online_level, applicants, popularity, updated_at, processing_days) values ('dang-ky-tam-tru', 'cong-an-cap-xa', 'Đăng ký tạm trú',
        'Temporary residence', 'Résidence temporaire', '-', '-', '-', '[]', 'full', 'citizen', 0, ${at}, 3)`.execute(db)
      await sql`insert into users (id, email, email_verified_at, role, full_name, failed_sign_ins, created_at, updated_at)
        values ('u-011', 'truoc-011@example.vn', ${at}, 'citizen', 'Nguyễn Văn An', 0, ${at}, ${at})`.execute(db)
      // Submitted on Thursday 12 February 2026, just before Tết; the second asked for more on the 13th.
      const submittedAt = '2026-02-12T03:00:00.000Z'
      for (const [id, status, updatedAt] of [['a-011-review', 'in_review', submittedAt], ['a-011-asked', 'info_requested', '2026-02-13T02:00:00.000Z'],
        ['a-011-done', 'approved', submittedAt]] as const) {
        await sql`insert into applications (id, reference, service_id, agency_id, applicant_id, status, answers, created_at, updated_at, submitted_at)
          values (${id}, ${`HS-2602-${id.slice(-4).toUpperCase()}-0000`}, 'dang-ky-tam-tru', 'cong-an-cap-xa', 'u-011', ${status}, '{}', ${submittedAt},
          ${updatedAt}, ${submittedAt})`.execute(db)
      }
      assert.deepEqual((await migrateToLatest(older.handle)).slice(0, 4), ['011_deadlines', '012_results', '013_search_in_memory', '014_satisfaction'])
      const rows = await db.selectFrom('applications').select(['id', 'due_on', 'clock_stopped_on']).orderBy('id').execute()
      assert.deepEqual(rows, [
        { id: 'a-011-asked', due_on: '2026-02-24', clock_stopped_on: '2026-02-13' },
        { id: 'a-011-done', due_on: null, clock_stopped_on: null },
        { id: 'a-011-review', due_on: '2026-02-24', clock_stopped_on: null },
      ])
    } finally {
      await older.dispose()
    }
  })
})

describe('migration 015: the audit log\'s places move to a table of their own', () => {
  it('keeps every entry, its place and leaf hash; what was unplaced, and every entry written since, waits for the sequencer', async () => {
    const older = await createTestDatabase({ upTo: '014_satisfaction' })
    try {
      const { db } = older.handle
      for (const [n, place] of [[1, 0], [2, 1], [3, null], [4, null]] as const) {
        await sql`insert into audit_events (at, action, actor_id, subject_id, detail, reference, leaf_index, leaf_hash)
          values (${at}, ${`entry-${n}`}, 'u-015', 'u-015', ${JSON.stringify({ n })}, ${`HS-${n}`}, ${place}, ${place === null ? null : `hash-${n}`})`.execute(db)
      }
      const ids = new Map((await sql<{ id: number, action: string }>`select id, action from audit_events`.execute(db)).rows.map((r) => [r.action, Number(r.id)]))
      assert.deepEqual(await migrateToLatest(older.handle), ['015_audit_places'])

      const places = await db.selectFrom('audit_places').selectAll().orderBy('leaf_index').execute()
      assert.deepEqual(places.map((p) => [Number(p.leaf_index), Number(p.event_id), p.leaf_hash]), [[0, ids.get('entry-1'), 'hash-1'], [1, ids.get('entry-2'), 'hash-2']])
      const queued = async () => (await db.selectFrom('audit_unplaced').select('event_id').orderBy('event_id').execute()).map((r) => Number(r.event_id))
      assert.deepEqual(await queued(), [ids.get('entry-3'), ids.get('entry-4')])
      const columns = usePostgres
        ? (await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = ${older.handle.schema}
            and table_name = 'audit_events'`.execute(db)).rows.map((r) => r.name)
        : (await sql<{ name: string }>`select name from pragma_table_info('audit_events')`.execute(db)).rows.map((r) => r.name)
      assert.ok(!columns.includes('leaf_index') && !columns.includes('leaf_hash'), columns.join(', '))

      // Entries written since, one by one or several in one statement: each queued by the trigger.
      await db.insertInto('audit_events').values({ at, action: 'entry-5', actor_id: null, subject_id: null, ip: null, request_id: null,
        detail: null, on_behalf_of: null, reference: null, agency_id: null }).execute()
      await db.insertInto('audit_events').values(['entry-6', 'entry-7'].map((action) => ({ at, action, actor_id: null, subject_id: null, ip: null,
        request_id: null, detail: null, on_behalf_of: null, reference: null, agency_id: null }))).execute()
      const all = (await db.selectFrom('audit_events').select('id').where('action', 'in', ['entry-3', 'entry-4', 'entry-5', 'entry-6', 'entry-7'])
        .orderBy('id').execute()).map((r) => Number(r.id))
      assert.deepEqual(await queued(), all)
    } finally {
      await older.dispose()
    }
  })
})
