import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { requestHash } from '../../server/domain/agencies/idempotency.js'
import type { Scope } from '../../server/domain/agencies/model.js'
import { citizen, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

const agency = 'cong-an-cap-xa'
const ctx = { ip: '127.0.0.1', requestId: 'test' }
const allScopes: Scope[] = ['services:write', 'applications:read', 'applications:write', 'deliveries:read', 'deliveries:write']

let portal: TestPortal
let adminId: string

before(async () => {
  portal = await createTestPortal({ agencyApiPerMinute: 1000 })
  adminId = (await citizen(portal, 'quan-tri-ca@example.vn')).id
})
after(async () => { await portal.close() })

async function newKey(options: { agencyId?: string, scopes?: Scope[], environment?: 'live' | 'test', ipAllowlist?: string } = {}) {
  return portal.services.agencies.keys.create(options.agencyId ?? agency, {
    name: 'Hệ thống một cửa', scopes: options.scopes ?? allScopes, environment: options.environment ?? 'live', ipAllowlist: options.ipAllowlist,
  }, adminId, ctx)
}

const api = (token: string | undefined, method: 'get' | 'post', path: string, from = '203.0.113.9') => {
  const req = request(portal.app)[method](`/api/v1/agency${path}`).set('X-Forwarded-For', from)
  return token ? req.set('Authorization', `Bearer ${token}`) : req
}

async function delivered() {
  const app = await submitted(portal, await citizen(portal, `nguoi-${Math.random().toString(36).slice(2)}@example.vn`))
  await portal.dispatcher.drain()
  return app
}

describe('Agency API keys', () => {
  it('are dvc_<env>_<id>_<256-bit secret>, shown once and stored only as a hash', async () => {
    const { token, key } = await newKey()
    assert.match(token, /^dvc_live_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/)
    const secret = token.split('_').slice(3).join('_')
    assert.equal(Buffer.from(secret, 'base64url').length, 32)
    const row = await portal.database.handle.db.selectFrom('api_keys').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow()
    assert.ok(!JSON.stringify(row).includes(secret), 'the secret is not stored')
    assert.equal(row.secret_hash.length, 64)
    assert.equal(Math.round((Date.parse(row.expires_at) - Date.parse(row.created_at)) / 86_400_000), 90, '90 days by default')
    const audit = await portal.database.handle.db.selectFrom('audit_events').selectAll().where('action', '=', 'api-key.created').execute()
    assert.ok(audit.some((a) => JSON.parse(a.detail!).key === key.id && !a.detail!.includes(secret)))
  })

  it('refuses a lifetime over 365 days, an unknown scope and a malformed allowlist', async () => {
    const keys = portal.services.agencies.keys
    await assert.rejects(keys.create(agency, { name: 'x', scopes: ['applications:read'], environment: 'live', expiresInDays: 366 }, adminId, ctx), /1 to 365/)
    await assert.rejects(keys.create(agency, { name: 'x', scopes: ['applications:delete'], environment: 'live' }, adminId, ctx), /one or more/)
    await assert.rejects(keys.create(agency, { name: 'x', scopes: ['applications:read'], environment: 'live', ipAllowlist: '10.0.0.0/33' }, adminId, ctx), /not an address/)
  })

  it('no key, an unknown key, a revoked and an expired key are 401 with WWW-Authenticate, as problem+json', async () => {
    const none = await api(undefined, 'get', '/applications').expect(401)
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="agency-api"')
    assert.match(none.headers['content-type']!, /application\/problem\+json/)
    const { token, key } = await newKey()
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    const unknown = await api(forged, 'get', '/applications').expect(401)
    assert.equal(unknown.headers['www-authenticate'], 'Bearer realm="agency-api", error="invalid_token"')
    await api(token, 'get', '/applications').expect(200)
    await portal.services.agencies.keys.revoke(agency, key.id, adminId, ctx)
    const revoked = await api(token, 'get', '/applications?lang=en').expect(401)
    assert.match(revoked.body.detail, /revoked/)
    const other = await newKey()
    await portal.database.handle.db.updateTable('api_keys').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', other.key.id).execute()
    const expired = await api(other.token, 'get', '/applications?lang=en').expect(401)
    assert.match(expired.body.detail, /expired/)
  })

  it('a missing scope or an address outside the allowlist is 403', async () => {
    const readOnly = await newKey({ scopes: ['deliveries:read'] })
    const res = await api(readOnly.token, 'get', '/applications?lang=en').expect(403)
    assert.match(res.body.detail, /applications:read/)
    const bound = await newKey({ ipAllowlist: '203.0.113.0/24, 2001:db8::/32' })
    await api(bound.token, 'get', '/applications', '203.0.113.77').expect(200)
    const outside = await api(bound.token, 'get', '/applications?lang=en', '198.51.100.7').expect(403)
    assert.match(outside.body.detail, /address/)
    const row = await portal.database.handle.db.selectFrom('api_keys').select(['last_used_at', 'last_used_ip']).where('id', '=', bound.key.id).executeTakeFirstOrThrow()
    assert.equal(row.last_used_ip, '203.0.113.77')
    assert.ok(row.last_used_at)
  })

  it('rotation: the new key works at once, the old one through the grace period only', async () => {
    const old = await newKey({ scopes: ['deliveries:read'], ipAllowlist: '203.0.113.0/24' })
    const rotated = await portal.services.agencies.keys.rotate(agency, old.key.id, 2, adminId, ctx)
    assert.deepEqual([rotated.key.scopes, rotated.key.ipAllowlist, rotated.key.environment], [['deliveries:read'], ['203.0.113.0/24'], 'live'])
    await api(rotated.token, 'get', '/deliveries').expect(200)
    await api(old.token, 'get', '/deliveries').expect(200)
    const graceEnd = Date.parse(rotated.oldKeyWorksUntil)
    assert.ok(Math.abs(graceEnd - Date.now() - 2 * 3_600_000) < 60_000)
    await assert.rejects(portal.services.agencies.keys.rotate(agency, old.key.id, 2, adminId, ctx), /only a key in force/)
    await assert.rejects(portal.services.agencies.keys.rotate(agency, rotated.key.id, 24 * 8, adminId, ctx), /0 to 168 hours/)
    const quick = await portal.services.agencies.keys.rotate(agency, rotated.key.id, 0, adminId, ctx)
    await api(rotated.token, 'get', '/deliveries').expect(401)
    await api(quick.token, 'get', '/deliveries').expect(200)
  })

  it('rate limit per key: 429 with Retry-After', async () => {
    const limited = await createTestPortal({ agencyApiPerMinute: 3 })
    try {
      const user = await citizen(limited, 'admin-rl@example.vn')
      const { token } = await limited.services.agencies.keys.create(agency, { name: 'k', scopes: ['deliveries:read'], environment: 'live' }, user.id, ctx)
      const other = await limited.services.agencies.keys.create(agency, { name: 'k2', scopes: ['deliveries:read'], environment: 'live' }, user.id, ctx)
      const call = (t: string) => request(limited.app).get('/api/v1/agency/deliveries').set('Authorization', `Bearer ${t}`)
      for (let i = 0; i < 3; i++) await call(token).expect(200)
      const refused = await call(token).expect(429)
      assert.ok(Number(refused.headers['retry-after']) >= 1)
      assert.match(refused.headers['content-type']!, /problem\+json/)
      await call(other.token).expect(200)
    } finally {
      await limited.close()
    }
  })
})

describe('Agency API: applications', () => {
  it('lists the agency’s applications with status, updatedSince and a stable cursor; never another agency’s', async () => {
    const { token } = await newKey()
    const first = await delivered()
    const second = await delivered()
    const elsewhere = await delivered()
    await portal.database.handle.db.updateTable('applications').set({ agency_id: 'ubnd-cap-xa' }).where('id', '=', elsewhere.id).execute()

    const all = await api(token, 'get', '/applications?limit=200').expect(200)
    const references = all.body.items.map((i: { reference: string }) => i.reference)
    assert.ok(references.includes(first.reference) && references.includes(second.reference))
    assert.ok(!references.includes(elsewhere.reference))

    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: { body: { items: Array<{ reference: string }>, nextCursor: string | null } } = await api(token, 'get', `/applications?limit=1${cursor ? `&cursor=${cursor}` : ''}`).expect(200)
      seen.push(...page.body.items.map((i) => i.reference))
      cursor = page.body.nextCursor
    } while (cursor)
    assert.deepEqual(seen, references, 'pages of one walk the same list, in the same order')

    const since = await api(token, 'get', `/applications?updatedSince=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`).expect(200)
    assert.deepEqual(since.body.items, [])
    const received = await api(token, 'get', '/applications?status=received&limit=200').expect(200)
    assert.ok(received.body.items.every((i: { status: string }) => i.status === 'received'))
    const bad = await api(token, 'get', '/applications?status=lost&updatedSince=yesterday&cursor=%21').expect(400)
    assert.deepEqual(bad.body['invalid-params'].map((p: { name: string }) => p.name).sort(), ['cursor', 'status', 'updatedSince'])

    await api(token, 'get', `/applications/${elsewhere.reference}`).expect(404)
    const otherAgency = await newKey({ agencyId: 'ubnd-cap-xa' })
    await api(otherAgency.token, 'get', `/applications/${first.reference}`).expect(404)
    await api(otherAgency.token, 'get', `/applications/${elsewhere.reference}`).expect(200)
  })

  it('one application: answers, the declared profile fields, document links; the read is audited with the citizen as subject', async () => {
    const { token, key } = await newKey()
    const app = await delivered()
    const res = await api(token, 'get', `/applications/${app.reference}`).expect(200)
    assert.equal(res.body.reference, app.reference)
    assert.equal(res.body.answers.applicantCitizenId, '001085012345')
    assert.deepEqual(res.body.profile, { fullName: 'Nguyễn Văn An' })
    assert.ok(!('email' in res.body.profile), 'undeclared fields do not travel')
    assert.deepEqual(res.body.documents, [])
    assert.equal(res.headers['cache-control'], 'no-store', 'a citizen\'s data is kept by no browser or proxy')
    assert.equal(res.headers['x-powered-by'], undefined)
    const read = await portal.database.handle.db.selectFrom('audit_events').selectAll().where('action', '=', 'data.read')
      .where('actor_id', '=', `api-key:${key.id}`).execute()
    assert.equal(read.length, 1)
    assert.equal(read[0]!.subject_id, app.applicantId)
    assert.equal(JSON.parse(read[0]!.detail!).by, 'agency-system')
  })

  it('status events honour Idempotency-Key: replay, 422 for another body, 409 while running; the citizen sees each change once', async () => {
    const { token } = await newKey()
    const app = await delivered()
    const post = (body: object, idempotencyKey?: string) => {
      const req = api(token, 'post', `/applications/${app.reference}/events`).send(body)
      return idempotencyKey ? req.set('Idempotency-Key', idempotencyKey) : req
    }
    const first = await post({ status: 'in_review', note: 'nhận' }, 'k-1').expect(201)
    assert.equal(first.body.status, 'in_review')
    for (let i = 0; i < 2; i++) {
      const again = await post({ status: 'in_review', note: 'nhận' }, 'k-1').expect(201)
      assert.equal(again.headers['idempotent-replayed'], 'true')
      assert.deepEqual(again.body, first.body)
    }
    const mismatch = await post({ status: 'approved' }, 'k-1').expect(422)
    assert.match(mismatch.headers['content-type']!, /problem\+json/)
    const events = await portal.database.handle.db.selectFrom('application_events').select(['to_status', 'actor_kind']).where('application_id', '=', app.id).execute()
    assert.equal(events.filter((e) => e.to_status === 'in_review').length, 1)
    assert.equal(events.find((e) => e.to_status === 'in_review')!.actor_kind, 'agency')
    const notices = await portal.database.handle.db.selectFrom('notifications').select('status').where('application_id', '=', app.id).execute()
    assert.equal(notices.filter((n) => n.status === 'in_review').length, 1)

    await portal.database.handle.db.insertInto('idempotency_keys')
      .values({
        agency_id: agency, key: 'k-running', status_code: null, response: null, created_at: Date.now(),
        request_hash: requestHash('POST', `/api/v1/agency/applications/${app.reference}/events`, { to: 'approved', message: null, note: null }),
      }).execute()
    await post({ status: 'approved' }, 'k-running').expect(409)

    const needsMessage = await post({ status: 'info_requested' }, 'k-2').expect(400)
    assert.deepEqual(needsMessage.body['invalid-params'].map((p: { name: string }) => p.name), ['message'])
    await post({ status: 'approved', message: 'Đồng ý' }, 'k-2').expect(201)
    const illegal = await post({ status: 'in_review' }).expect(409)
    assert.match(illegal.body.detail, /approved/)
    await post({ status: 'lost' }).expect(400)
    await api(token, 'post', `/applications/${app.reference}/events`).set('Idempotency-Key', 'x'.repeat(300)).send({ status: 'approved' }).expect(400)
  })

  it('a test key reads no citizen data and its writes are dry runs', async () => {
    const { token } = await newKey({ environment: 'test' })
    assert.match(token, /^dvc_test_/)
    const app = await delivered()
    await api(token, 'get', `/applications/${app.reference}`).expect(403)
    const dry = await api(token, 'post', `/applications/${app.reference}/events`).send({ status: 'in_review' }).expect(200)
    assert.equal(dry.body.dryRun, true)
    const after = await portal.database.handle.db.selectFrom('applications').select('status').where('id', '=', app.id).executeTakeFirstOrThrow()
    assert.equal(after.status, 'received')
  })

  it('deliveries: the agency’s own log, redelivery of its own delivery (404 for another’s), no endpoint yet is 404', async () => {
    const { token } = await newKey()
    const app = await delivered()
    const log = await api(token, 'get', '/deliveries?limit=200').expect(200)
    const mine = log.body.items.find((d: { reference: string }) => d.reference === app.reference)
    assert.equal(mine.outcome, 'accepted')
    const other = await newKey({ agencyId: 'ubnd-cap-xa' })
    await api(other.token, 'post', `/deliveries/${mine.deliveryId}/redeliver`).expect(404)
    await api(token, 'post', `/deliveries/${mine.deliveryId}/redeliver`).expect(202)
    const row = await portal.database.handle.db.selectFrom('outbox').select('status').where('id', '=', mine.deliveryId).executeTakeFirstOrThrow()
    assert.equal(row.status, 'pending')
    await portal.dispatcher.drain()
    await api(token, 'get', '/endpoint').expect(404)
  })
})
