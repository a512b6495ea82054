import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import type { Agent } from 'supertest'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { startAgencyServer, testSecret } from '../support/agencyServer.js'
import { csrfFrom, emailsTo, linkIn } from '../support/browserless.js'
import { citizen, submitted } from '../support/submissions.js'
import { createTestPortal, testPublicUrl, type TestPortal } from '../support/testApp.js'

const agency = 'cong-an-cap-xa'
let portal: TestPortal
let admin: Agent
let n = 20

async function signIn(email: string, password: string): Promise<Agent> {
  const agent = request.agent(portal.app)
  const _csrf = await csrfFrom(agent, '/account/sign-in')
  await agent.post('/account/sign-in').type('form').set('X-Forwarded-For', `198.51.100.${n++}`).send({ _csrf, email, password }).expect(303)
  return agent
}

/** Opens the invitation's single-use link, sets a password and signs in. */
async function acceptInvitation(email: string, password: string): Promise<Agent> {
  const link = linkIn(emailsTo(portal.mailDir, email).at(-1)!)
  const agent = request.agent(portal.app)
  const page = await agent.get(link.slice(testPublicUrl.length)).expect(200)
  const token = /name="token" value="([^"]+)"/.exec(page.text)![1]!
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
  await agent.post('/account/reset/confirm').type('form').send({ _csrf, token, password }).expect(200)
  const again = await agent.post('/account/reset/confirm').type('form').send({ _csrf, token, password: 'một mật khẩu khác hẳn' })
  assert.notEqual(again.status, 303, 'the link works once')
  return signIn(email, password)
}

async function postForm(agent: Agent, page: string, action: string, body: Record<string, string | string[]>) {
  const _csrf = await csrfFrom(agent, page)
  return agent.post(action).type('form').send({ _csrf, ...body })
}

const drainAll = async () => {
  for (let i = 0; i < 5; i++) await portal.dispatcher.drain()
}

before(async () => {
  portal = await createTestPortal({ endpointSuspension: { failures: 3, afterMs: 0 } })
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
  admin = await signIn('admin@demo.dichvucong.invalid', demoAccounts.find((a) => a.role === 'admin')!.password)
})
after(async () => { await portal.close() })

describe('a portal administrator onboards an agency', () => {
  it('creates it with names in three languages, naming the fields that are wrong', async () => {
    const bad = await postForm(admin, '/admin/agencies/new', '/admin/agencies', {
      id: 'So Tu Phap', 'name.vi': '', 'name.en': 'Justice', 'name.fr': 'Justice', level: 'provincial', website: 'not a url',
    })
    assert.equal(bad.status, 422)
    for (const id of ['id', 'name-vi', 'description-vi', 'website']) assert.match(bad.text, new RegExp(`href="#${id}"`), id)
    assert.match(bad.text, /value="Justice"/, 'what was typed is kept')
    const names = { 'name.vi': 'Sở Tư pháp thử nghiệm', 'name.en': 'Test Department of Justice', 'name.fr': 'Service de la justice (test)' }
    const descriptions = { 'description.vi': 'Mô tả', 'description.en': 'Description', 'description.fr': 'Description' }
    const ok = await postForm(admin, '/admin/agencies/new', '/admin/agencies', { id: 'so-tu-phap-thu', ...names, ...descriptions, level: 'provincial', website: 'https://stp.example.vn' })
    assert.equal(ok.status, 303)
    assert.equal(ok.headers['location'], '/admin/agencies/so-tu-phap-thu')
    const again = await postForm(admin, '/admin/agencies/new', '/admin/agencies', { id: 'so-tu-phap-thu', ...names, ...descriptions, level: 'provincial' })
    assert.equal(again.status, 422, 'an id is taken once')
    await request(portal.app).get('/agencies/so-tu-phap-thu').expect(200)
    const audit = await portal.database.handle.db.selectFrom('audit_events').select('detail').where('action', '=', 'agency.created').execute()
    assert.equal(audit.length, 1)
  })

  it('invites its administrator, who sets a password through a single-use link and invites an officer', async () => {
    const invite = await postForm(admin, '/admin/agencies/so-tu-phap-thu', '/admin/agencies/so-tu-phap-thu/administrators', { email: 'qt@stp.example.vn', fullName: 'Đỗ Quản Trị' })
    assert.equal(invite.status, 303)
    const agencyAdmin = await acceptInvitation('qt@stp.example.vn', 'mật khẩu quản trị cơ quan')
    const home = await agencyAdmin.get('/agency').expect(303)
    assert.equal(home.headers['location'], '/agency/settings')
    const settings = await agencyAdmin.get('/agency/settings').expect(200)
    assert.match(settings.text, /Sở Tư pháp thử nghiệm/)
    await agencyAdmin.get('/agency/applications/HS-2611-0000-0000').expect(403)
    await agencyAdmin.get('/admin').expect(403)

    const officer = await postForm(agencyAdmin, '/agency/officers', '/agency/officers', { email: 'cb@stp.example.vn', fullName: 'Cán Bộ Tư Pháp' })
    assert.equal(officer.status, 303)
    const row = await portal.database.handle.db.selectFrom('users').select(['role', 'agency_id']).where('email', '=', 'cb@stp.example.vn').executeTakeFirstOrThrow()
    assert.deepEqual(row, { role: 'officer', agency_id: 'so-tu-phap-thu' }, 'an officer of the inviter’s own agency')
    const taken = await postForm(agencyAdmin, '/agency/officers', '/agency/officers', { email: 'cb@stp.example.vn', fullName: 'Ai Đó' })
    assert.equal(taken.status, 422)
    const officerAgent = await acceptInvitation('cb@stp.example.vn', 'mật khẩu cán bộ tư pháp')
    await officerAgent.get('/agency').expect(200)
    await officerAgent.get('/agency/keys').expect(403)
  })
})

describe('an agency administrator’s keys and endpoint, in the browser', () => {
  let agencyAdmin: Agent
  before(async () => {
    await portal.services.agencies.onboarding.invite(agency, 'agency_admin', { email: 'qt@ca.example.vn', fullName: 'Quản Trị Công An' },
      (await import('../../server/i18n/emailTexts.js')).emailTexts((await import('../../server/i18n/messages.js')).translator('vi')), 'test')
    agencyAdmin = await acceptInvitation('qt@ca.example.vn', 'mật khẩu quản trị công an')
  })

  it('makes a key shown once, sees it listed by its id only, and revokes it', async () => {
    const refused = await postForm(agencyAdmin, '/agency/keys', '/agency/keys', { name: '', environment: 'live' })
    assert.equal(refused.status, 422)
    const made = await postForm(agencyAdmin, '/agency/keys', '/agency/keys', { name: 'Một cửa', scopes: ['applications:read', 'deliveries:read'], environment: 'live', expiresInDays: '30' })
    assert.equal(made.status, 200)
    const token = /value="(dvc_live_[^"]+)"/.exec(made.text)![1]!
    const list = await agencyAdmin.get('/agency/keys').expect(200)
    assert.ok(!list.text.includes(token), 'never shown again')
    const id = token.split('_')[2]!
    assert.match(list.text, new RegExp(id))
    await request(portal.app).get('/api/v1/agency/deliveries').set('Authorization', `Bearer ${token}`).expect(200)
    const revoke = await postForm(agencyAdmin, '/agency/keys', `/agency/keys/${id}/revoke`, {})
    assert.equal(revoke.status, 303)
    await request(portal.app).get('/api/v1/agency/deliveries').set('Authorization', `Bearer ${token}`).expect(401)
    const otherAgencyKey = await portal.services.agencies.keys.create('ubnd-cap-xa', { name: 'x', scopes: ['deliveries:read'], environment: 'live' }, 'test', { ip: undefined, requestId: 't' })
    const foreign = await postForm(agencyAdmin, '/agency/keys', `/agency/keys/${otherAgencyKey.key.id}/revoke`, {})
    assert.equal(foreign.status, 404, 'another agency’s key is not found')
  })

  it('registers an endpoint: loopback refused until an administrator allows host and port; deliveries wait until it is verified', async () => {
    const server = await startAgencyServer(testSecret)
    try {
      const refused = await postForm(agencyAdmin, '/agency/endpoint', '/agency/endpoint', { url: server.url })
      assert.equal(refused.status, 422)
      assert.match(refused.text, /https:\/\//)
      const https = await postForm(agencyAdmin, '/agency/endpoint', '/agency/endpoint', { url: `https://127.0.0.1:${server.port}/hooks` })
      assert.equal(https.status, 422)
      assert.match(https.text, /loopback/)

      const badHost = await postForm(admin, '/admin/endpoint-hosts', '/admin/endpoint-hosts', { host: '127.0.0.1', port: 'x' })
      assert.equal(badHost.status, 422)
      const allowed = await postForm(admin, '/admin/endpoint-hosts', '/admin/endpoint-hosts', { host: '127.0.0.1', port: String(server.port), note: 'test receiver' })
      assert.equal(allowed.status, 303)

      const registered = await postForm(agencyAdmin, '/agency/endpoint', '/agency/endpoint', { url: server.url })
      assert.equal(registered.status, 200)
      const secret = /value="(whsec_[^"]+)"/.exec(registered.text)![1]!
      assert.ok(!(await agencyAdmin.get('/agency/endpoint')).text.includes(secret), 'shown once')
      server.useSecret(secret)

      const app = await submitted(portal, await citizen(portal, 'cho-xac-minh@example.vn'))
      await drainAll()
      assert.equal(server.requests.length, 0, 'not sent to an unverified endpoint')
      const held = await portal.database.handle.db.selectFrom('outbox').select(['status', 'last_error', 'attempts']).where('application_id', '=', app.id).executeTakeFirstOrThrow()
      assert.deepEqual([held.status, held.attempts], ['pending', 0])
      assert.match(held.last_error ?? '', /unverified/)

      const verified = await postForm(agencyAdmin, '/agency/endpoint', '/agency/endpoint/verify', {})
      assert.equal(verified.status, 303)
      assert.equal(server.challenges.length, 1)
      assert.equal(server.challenges[0]!.verified, true, 'the challenge is signed with the new secret')
      await drainAll()
      assert.equal(server.accepted.size, 1, 'the held delivery goes once verified')
      assert.equal(server.requests[0]!.verified, true)
      const after = await portal.database.handle.db.selectFrom('applications').select('status').where('id', '=', app.id).executeTakeFirstOrThrow()
      assert.equal(after.status, 'received')
    } finally {
      await server.close()
    }
  })

  it('a wrong echo leaves the endpoint unverified, with the reason shown', async () => {
    const server = await startAgencyServer(testSecret, () => ({ status: 200 }), { echo: false })
    try {
      await portal.services.agencies.endpoints.allowHost({ host: '127.0.0.1', port: server.port }, 'test', { ip: undefined, requestId: 't' })
      const registered = await portal.services.agencies.endpoints.register('ubnd-cap-xa', server.url, 'test', { ip: undefined, requestId: 't' })
      server.useSecret(registered.secret)
      const error = await portal.services.agencies.endpoints.verify('ubnd-cap-xa', 'test', { ip: undefined, requestId: 't' })
      assert.match(error ?? '', /did not echo/)
      assert.equal((await portal.services.agencies.endpoints.endpoint('ubnd-cap-xa'))?.state, 'unverified')
      await portal.database.handle.db.deleteFrom('agency_endpoints').where('agency_id', '=', 'ubnd-cap-xa').execute()
    } finally {
      await server.close()
    }
  })

  it('rotating the secret signs with both during the overlap; sustained failure suspends and emails; resume sends what waited', async () => {
    let failing = false
    const server = await startAgencyServer(testSecret, () => (failing ? { status: 503 } : { status: 200 }))
    const endpoints = portal.services.agencies.endpoints
    const ctx = { ip: undefined, requestId: 't' }
    try {
      await endpoints.allowHost({ host: '127.0.0.1', port: server.port }, 'test', ctx)
      const { secret } = await endpoints.register(agency, server.url, 'test', ctx)
      server.useSecret(secret)
      assert.equal(await endpoints.verify(agency, 'test', ctx), null)

      const rotated = await postForm(agencyAdmin, '/agency/endpoint', '/agency/endpoint/rotate', { overlapHours: '24' })
      assert.equal(rotated.status, 200)
      const next = /value="(whsec_[^"]+)"/.exec(rotated.text)![1]!
      await submitted(portal, await citizen(portal, 'xoay-khoa@example.vn'))
      await drainAll()
      assert.equal(server.requests.at(-1)!.verified, true, 'the old secret still verifies')
      server.useSecret(next)
      await submitted(portal, await citizen(portal, 'xoay-khoa-2@example.vn'))
      await drainAll()
      assert.equal(server.requests.at(-1)!.verified, true, 'so does the new one')

      failing = true
      const waiting = await submitted(portal, await citizen(portal, 'dang-loi@example.vn'))
      for (let i = 0; i < 10; i++) {
        await portal.dispatcher.drain()
        await new Promise((r) => setTimeout(r, 60))
      }
      const endpoint = await endpoints.endpoint(agency)
      assert.equal(endpoint?.state, 'suspended')
      assert.match(endpoint?.suspendedReason ?? '', /failed deliveries in a row/)
      const mail = await portal.database.handle.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', 'qt@ca.example.vn').execute()
      assert.ok(mail.some((m) => /tạm dừng/.test(m.subject)), 'the agency’s administrators are emailed')
      const page = await agencyAdmin.get('/agency/endpoint?lang=en').expect(200)
      assert.match(page.text, /Suspended/)
      assert.match(page.text, /Last 24 hours/)

      failing = false
      const before = server.accepted.size
      const resumed = await postForm(agencyAdmin, '/agency/endpoint', '/agency/endpoint/resume', {})
      assert.equal(resumed.status, 303)
      await drainAll()
      assert.equal(server.accepted.size, before + 1, 'the delivery that waited goes')
      const app = await portal.database.handle.db.selectFrom('applications').select('status').where('id', '=', waiting.id).executeTakeFirstOrThrow()
      assert.equal(app.status, 'received')

      const health = await endpoints.health(agency)
      assert.ok(health.attempts >= 6)
      assert.ok(health.successRate! > 0 && health.successRate! < 1)
      assert.ok(health.p95Ms! >= health.p50Ms!)
    } finally {
      await server.close()
    }
  })

  it('emails the agency’s administrators 30, 7 and 1 days before a key expires, each once', async () => {
    const keys = portal.services.agencies.keys
    const { key } = await keys.create(agency, { name: 'Sắp hết hạn', scopes: ['deliveries:read'], environment: 'live', expiresInDays: 10 }, 'test', { ip: undefined, requestId: 't' })
    const count = async () => (await portal.database.handle.db.selectFrom('mail_outbox').select('subject').where('to_address', '=', 'qt@ca.example.vn').execute())
      .filter((m) => m.subject.includes('Sắp hết hạn')).length
    await keys.sendExpiryNotices()
    assert.equal(await count(), 1, 'within 30 days: the 30-day notice')
    await keys.sendExpiryNotices()
    assert.equal(await count(), 1, 'once')
    await keys.sendExpiryNotices(Date.parse(key.expiresAt) - 5 * 86_400_000)
    assert.equal(await count(), 2, 'the 7-day notice')
    await keys.sendExpiryNotices(Date.parse(key.expiresAt) - 12 * 3_600_000)
    assert.equal(await count(), 3, 'the 1-day notice')
    await keys.sendExpiryNotices(Date.parse(key.expiresAt) - 3_600_000)
    assert.equal(await count(), 3)
  })
})
