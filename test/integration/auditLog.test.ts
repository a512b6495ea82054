import assert from 'node:assert/strict'
import { createHash, createPublicKey, verify } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import canonicalize from 'canonicalize'
import { sql } from 'kysely'
import request from 'supertest'
import { writeAudit } from '../../server/db/audit.js'
import { createAuditLogRepository } from '../../server/db/auditLogRepository.js'
import type { DatabaseHandle } from '../../server/db/database.js'
import { verifyConsistency } from '../../server/domain/audit/merkle.js'
import { generateSigningKey, type SigningKey } from '../../server/domain/audit/signedNote.js'
import { createTransparencyLog, leafHashOf, trustedKeys } from '../../server/domain/audit/transparencyLog.js'
import { verifyLog } from '../../server/domain/audit/verifyLog.js'
import { createTestDatabase, createTestPortal, type TestDatabase, type TestPortal } from '../support/testApp.js'

const origin = 'portal.test/audit-log'

const write = (handle: DatabaseHandle, n: number) => writeAudit(handle.db, {
  action: 'data.read', actorId: `officer-${n % 3}`, subjectId: `citizen-${n % 5}`, ip: '192.0.2.1', requestId: `req-${n}`,
  detail: { reference: `HS-${String(n).padStart(6, '0')}`, agency: 'bo-cong-an', n },
})

async function logOf(database: TestDatabase, key: SigningKey, policy = {}) {
  const repo = createAuditLogRepository(database.handle.db, database.handle.dialect)
  return { repo, log: createTransparencyLog({ repo, key, policy }) }
}

const verifyWith = (database: TestDatabase, key: SigningKey, earlier: SigningKey[] = []) =>
  verifyLog(createAuditLogRepository(database.handle.db, database.handle.dialect), { keys: trustedKeys(key, earlier), origin: key.name })

const idAt = async (database: TestDatabase, place: number) => Number((await database.handle.db.selectFrom('audit_places').select('event_id')
  .where('leaf_index', '=', place).executeTakeFirstOrThrow()).event_id)

// --- The few lines of independent code: RFC 9162 §2.1.3.2 and the C2SP signed note,
// with nothing of the portal but what it serves over HTTP. ---
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest()
function rootFromInclusion(index: number, size: number, leaf: Buffer, proof: Buffer[]): Buffer | undefined {
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of proof) {
    if (sn === 0) return undefined
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Buffer.from([1]), p, r)
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1 }
    } else {
      r = sha256(Buffer.from([1]), r, p)
    }
    fn >>= 1
    sn >>= 1
  }
  return sn === 0 ? r : undefined
}
function openCheckpoint(note: string, verifierKey: string): { origin: string, size: number, root: Buffer } {
  const [name, keyId, key] = [verifierKey.slice(0, verifierKey.indexOf('+')), ...verifierKey.slice(verifierKey.indexOf('+') + 1).split(/\+(.*)/s, 2)]
  const cut = note.indexOf('\n\n')
  const text = note.slice(0, cut + 1)
  const signature = note.slice(cut + 2).split('\n').find((line) => line.startsWith(`— ${name} `))!
  const raw = Buffer.from(signature.slice(`— ${name} `.length), 'base64')
  assert.equal(raw.subarray(0, 4).toString('hex'), keyId)
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key!, 'base64').subarray(1).toString('base64url') }, format: 'jwk' })
  assert.ok(verify(null, Buffer.from(text), publicKey, raw.subarray(4)), 'the checkpoint is signed by the published key')
  const [o, size, root] = text.split('\n')
  return { origin: o!, size: Number(size), root: Buffer.from(root!, 'base64') }
}

describe('the audit log served to anyone', () => {
  let portal: TestPortal
  before(async () => {
    portal = await createTestPortal()
    for (let n = 0; n < 37; n++) await write(portal.database.handle, n)
    await portal.services.audit.transparencyLog.integrate({ force: true })
  })
  after(async () => { await portal.close() })

  it('serves a signed checkpoint and an inclusion proof that independent code verifies against the entry itself', async () => {
    const keys = (await request(portal.app).get('/api/v1/audit-log/keys').expect(200)).text.trim().split('\n')
    const note = (await request(portal.app).get('/api/v1/audit-log/checkpoint').expect(200)).text
    const checkpoint = openCheckpoint(note, keys.at(-1)!)
    assert.equal(checkpoint.origin, 'portal.test/audit-log')
    const placed = Number((await portal.database.handle.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    assert.equal(checkpoint.size, placed)

    // The entry at place 11, as an auditor with the database reads it; its leaf from its canonical JSON.
    const row = await portal.database.handle.db.selectFrom('audit_events').selectAll()
      .where('id', '=', (sub) => sub.selectFrom('audit_places').select('event_id').where('leaf_index', '=', 11)).executeTakeFirstOrThrow()
    const leaf = sha256(Buffer.from([0]), Buffer.from(canonicalize({
      index: 11, id: Number(row.id), at: row.at, action: row.action, actor: row.actor_id, subject: row.subject_id,
      onBehalfOf: row.on_behalf_of, ip: row.ip, requestId: row.request_id, detail: row.detail && JSON.parse(row.detail) as unknown,
    })!))
    const proof = (await request(portal.app).get('/api/v1/audit-log/proof/inclusion?index=11').expect(200)).body as { leafHash: string, proof: string[], size: number }
    assert.equal(proof.leafHash, leaf.toString('hex'))
    assert.equal(proof.size, checkpoint.size)
    assert.deepEqual(rootFromInclusion(11, proof.size, leaf, proof.proof.map((h) => Buffer.from(h, 'hex'))), checkpoint.root)
    // The same proof for another entry's leaf does not.
    assert.notDeepEqual(rootFromInclusion(11, proof.size, sha256(Buffer.from([0]), Buffer.from('{}')), proof.proof.map((h) => Buffer.from(h, 'hex'))), checkpoint.root)
  })

  it('proves two checkpoints consistent, and answers bad sizes with problem+json naming the parameter', async () => {
    const first = (await request(portal.app).get('/api/v1/audit-log/checkpoints').expect(200)).body as { checkpoints: Array<{ size: number, rootHash: string }> }
    for (let n = 100; n < 110; n++) await write(portal.database.handle, n)
    await portal.services.audit.transparencyLog.integrate({ force: true })
    const all = (await request(portal.app).get('/api/v1/audit-log/checkpoints').expect(200)).body as { checkpoints: Array<{ size: number, rootHash: string }> }
    assert.equal(all.checkpoints.length, first.checkpoints.length + 1)
    const [a, b] = all.checkpoints.slice(-2) as [{ size: number, rootHash: string }, { size: number, rootHash: string }]
    const proof = (await request(portal.app).get(`/api/v1/audit-log/proof/consistency?from=${a.size}&to=${b.size}`).expect(200)).body as { proof: string[] }
    assert.ok(verifyConsistency(a.size, b.size, Buffer.from(a.rootHash, 'hex'), Buffer.from(b.rootHash, 'hex'), proof.proof.map((h) => Buffer.from(h, 'hex'))))

    const bad = await request(portal.app).get('/api/v1/audit-log/proof/inclusion?index=abc').expect(400)
    assert.match(bad.headers['content-type']!, /application\/problem\+json/)
    assert.equal((bad.body as { 'invalid-params': Array<{ name: string }> })['invalid-params'][0]!.name, 'index')
    const beyond = await request(portal.app).get('/api/v1/audit-log/proof/inclusion?index=5&size=100000').expect(422)
    assert.match(beyond.headers['content-type']!, /application\/problem\+json/)
    const page = await request(portal.app).get('/audit-log').expect(200)
    assert.ok(page.text.includes(`${b.size}`), 'the public page shows the latest checkpoint')
  })
})

describe('npm run audit:verify finds what was changed', () => {
  const key = generateSigningKey(origin).key
  let database: TestDatabase
  // A fresh log of 20 entries, a checkpoint after each, for each test.
  async function fresh(): Promise<TestDatabase> {
    await database?.dispose()
    database = await createTestDatabase()
    const { log } = await logOf(database, key, { entries: 1 })
    for (let n = 0; n < 20; n++) {
      await write(database.handle, n)
      await log.integrate()
    }
    const before = await verifyWith(database, key)
    assert.equal(before.ok, true, before.problem)
    assert.equal(before.entries, 20)
    assert.equal(before.checkpoints, 20)
    return database
  }
  after(async () => { await database?.dispose() })

  it('changing one row: names that entry', async () => {
    const db = await fresh()
    const id = await idAt(db, 7)
    await db.handle.db.updateTable('audit_events').set({ actor_id: 'someone-else' }).where('id', '=', id).execute()
    const result = await verifyWith(db, key)
    assert.equal(result.ok, false)
    assert.equal(result.entryId, id)
    assert.match(result.problem!, new RegExp(`entry ${id} `))
  })

  it('changing a row and rewriting its stored hash: the signed checkpoints still name it', async () => {
    const db = await fresh()
    const id = await idAt(db, 7)
    const row = await db.handle.db.selectFrom('audit_events').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    const forged = { ...row, detail: JSON.stringify({ reference: 'HS-000007', agency: 'bo-cong-an', n: 999 }) }
    const { toStoredEntry } = await import('../../server/db/auditLogRepository.js')
    await db.handle.db.updateTable('audit_events').set({ detail: forged.detail }).where('id', '=', id).execute()
    await db.handle.db.updateTable('audit_places').set({ leaf_hash: leafHashOf(toStoredEntry(forged), 7).toString('hex') }).where('event_id', '=', id).execute()
    const result = await verifyWith(db, key)
    assert.equal(result.ok, false)
    assert.equal(result.entryId, id, result.problem)
  })

  it('deleting one row: names its place and the entry after it', async () => {
    const db = await fresh()
    const next = await idAt(db, 8)
    await db.handle.db.deleteFrom('audit_events').where('id', '=', await idAt(db, 7)).execute()
    const result = await verifyWith(db, key)
    assert.equal(result.ok, false)
    assert.equal(result.place, 7)
    assert.equal(result.entryId, next)
    assert.match(result.problem!, /place 7 is missing/)
  })

  it('deleting the last rows: says entries were removed from that place', async () => {
    const db = await fresh()
    await db.handle.db.deleteFrom('audit_events').where('id', 'in', [await idAt(db, 18), await idAt(db, 19)]).execute()
    const result = await verifyWith(db, key)
    assert.equal(result.ok, false)
    assert.match(result.problem!, /from place 18 on were removed/)
  })

  it('inserting one row among the placed ones: names the inserted entry', async () => {
    const db = await fresh()
    // Make room at place 7 (two steps: the places are unique) and put a forged entry there.
    await db.handle.db.updateTable('audit_places').set({ leaf_index: sql`-1 - leaf_index` }).where('leaf_index', '>=', 7).execute()
    await db.handle.db.updateTable('audit_places').set({ leaf_index: sql`-leaf_index` }).where('leaf_index', '<', 0).execute()
    const { id: insertedId } = await db.handle.db.insertInto('audit_events').values({
      at: new Date().toISOString(), action: 'data.read', actor_id: 'intruder', subject_id: 'citizen-1', ip: null, request_id: null,
      detail: null, on_behalf_of: null, reference: null, agency_id: null,
    }).returning('id').executeTakeFirstOrThrow()
    const inserted = Number(insertedId)
    const { toStoredEntry } = await import('../../server/db/auditLogRepository.js')
    const row = await db.handle.db.selectFrom('audit_events').selectAll().where('id', '=', inserted).executeTakeFirstOrThrow()
    await db.handle.db.insertInto('audit_places').values({ leaf_index: 7, event_id: inserted, leaf_hash: leafHashOf(toStoredEntry(row), 7).toString('hex') }).execute()
    await db.handle.db.deleteFrom('audit_unplaced').where('event_id', '=', inserted).execute()
    const result = await verifyWith(db, key)
    assert.equal(result.ok, false)
    assert.equal(result.entryId, inserted, result.problem)
  })

  it('reordering two rows: names the first entry out of its place', async () => {
    const db = await fresh()
    const [a, b] = [await idAt(db, 7), await idAt(db, 8)]
    await db.handle.db.updateTable('audit_places').set({ leaf_index: -1 }).where('event_id', '=', a).execute()
    await db.handle.db.updateTable('audit_places').set({ leaf_index: 7 }).where('event_id', '=', b).execute()
    await db.handle.db.updateTable('audit_places').set({ leaf_index: 8 }).where('event_id', '=', a).execute()
    const result = await verifyWith(db, key)
    assert.equal(result.ok, false)
    assert.equal(result.entryId, b)
    assert.equal(result.place, 7)
  })

  it('a rotated key leaves the old checkpoints verifiable, and a forged checkpoint is refused', async () => {
    const db = await fresh()
    const next = generateSigningKey(origin).key
    const { log } = await logOf(db, next)
    for (let n = 20; n < 25; n++) await write(db.handle, n)
    await log.integrate({ force: true })
    const result = await verifyWith(db, next, [key])
    assert.equal(result.ok, true, result.problem)
    assert.equal(result.checkpoints, 21)
    const onlyNew = await verifyWith(db, next)
    assert.equal(onlyNew.ok, false, 'without the old key the old checkpoints do not verify')
    // A checkpoint signed by a key the portal never published.
    const stranger = generateSigningKey(origin).key
    const { log: forger } = await logOf(db, stranger)
    await write(db.handle, 99)
    await forger.integrate({ force: true })
    const forged = await verifyWith(db, next, [key])
    assert.equal(forged.ok, false)
    assert.match(forged.problem!, /no valid signature/)
  })
})

describe('several instances sequence one log', () => {
  let database: TestDatabase
  before(async () => { database = await createTestDatabase() })
  after(async () => { await database.dispose() })

  it('two instances writing and sequencing at once: places 0…N−1, no gap, no fork, every checkpoint verifies', async () => {
    const key = generateSigningKey(origin).key
    const instances = [database.handle, database.reopen()].map((handle) => ({
      handle, log: createTransparencyLog({ repo: createAuditLogRepository(handle.db, handle.dialect), key, policy: { entries: 25 }, batch: 40 }),
    }))
    const perInstance = 150
    await Promise.all(instances.map(async ({ handle, log }, i) => {
      let sequencing = Promise.resolve()
      for (let n = 0; n < perInstance; n++) {
        // Several writes in flight on the pool, so ids commit out of order on PostgreSQL.
        // Each in a transaction: on SQLite, two connections in one thread must wait for
        // the write lock asynchronously (BEGIN IMMEDIATE), as the portal's writes do.
        await Promise.all([0, 1, 2].map((k) => handle.db.transaction().execute((trx) => writeAudit(trx, {
          action: 'data.read', actorId: `officer-${i}`, subjectId: `citizen-${k}`, detail: { reference: `HS-${i}-${n}-${k}`, agency: 'bo-cong-an' },
        }))))
        if (n % 5 === 0) sequencing = sequencing.then(() => log.integrate().then(() => {}))
      }
      await sequencing
    }))
    await instances[0]!.log.integrate({ force: true })
    const places = (await database.handle.db.selectFrom('audit_places').select('leaf_index').orderBy('leaf_index').execute()).map((r) => Number(r.leaf_index))
    assert.equal(places.length, 2 * perInstance * 3)
    const events = await database.handle.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
    assert.equal(Number(events.n), places.length, 'every entry has its place')
    assert.equal((await database.handle.db.selectFrom('audit_unplaced').select('event_id').execute()).length, 0)
    assert.deepEqual(places, places.map((_, i) => i))
    const result = await verifyWith(database, key)
    assert.equal(result.ok, true, result.problem)
    assert.ok(result.checkpoints >= 2)
  })
})
