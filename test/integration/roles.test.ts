import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import type { Agent } from 'supertest'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { csrfFrom, sessionCookie } from '../support/browserless.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
const agents = new Map<string, Agent>()
let citizenId: string

before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
  let n = 80
  for (const account of demoAccounts) {
    const agent = request.agent(portal.app)
    const _csrf = await csrfFrom(agent, '/account/sign-in')
    await agent.post('/account/sign-in').type('form').set('X-Forwarded-For', `198.51.100.${n++}`)
      .send({ _csrf, email: account.email, password: account.password }).expect(303)
    agents.set(account.role, agent)
  }
  citizenId = (await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', demoAccounts[0]!.email).executeTakeFirstOrThrow()).id
})
after(async () => { await portal.close() })

type Role = 'citizen' | 'officer' | 'agency_admin' | 'auditor' | 'admin'
const everyone: Role[] = ['citizen', 'officer', 'agency_admin', 'auditor', 'admin']

// Every role-restricted route and the one role it allows (`also`: what another role gets instead of 403).
const routes: Array<{ method: 'get' | 'post', path: () => string, allowed: Role, ok: number, also?: Partial<Record<Role, number>> }> = [
  { method: 'get', path: () => '/agency', allowed: 'officer', ok: 200, also: { agency_admin: 303 } },
  { method: 'get', path: () => '/agency/settings', allowed: 'agency_admin', ok: 200 },
  { method: 'get', path: () => '/agency/keys', allowed: 'agency_admin', ok: 200 },
  { method: 'post', path: () => '/agency/keys', allowed: 'agency_admin', ok: 422 },
  { method: 'post', path: () => '/agency/keys/aaaaaaaaaaaaaaaa/revoke', allowed: 'agency_admin', ok: 404 },
  { method: 'get', path: () => '/agency/endpoint', allowed: 'agency_admin', ok: 200 },
  { method: 'post', path: () => '/agency/endpoint', allowed: 'agency_admin', ok: 422 },
  { method: 'post', path: () => '/agency/endpoint/verify', allowed: 'agency_admin', ok: 422 },
  { method: 'post', path: () => '/agency/deliveries/00000000-0000-0000-0000-000000000000/redeliver', allowed: 'agency_admin', ok: 404 },
  { method: 'get', path: () => '/agency/officers', allowed: 'agency_admin', ok: 200 },
  { method: 'post', path: () => '/agency/officers', allowed: 'agency_admin', ok: 422 },
  { method: 'get', path: () => '/admin/agencies', allowed: 'admin', ok: 200 },
  { method: 'get', path: () => '/admin/agencies/new', allowed: 'admin', ok: 200 },
  { method: 'post', path: () => '/admin/agencies', allowed: 'admin', ok: 422 },
  { method: 'get', path: () => '/admin/agencies/ubnd-cap-xa', allowed: 'admin', ok: 200 },
  { method: 'post', path: () => '/admin/agencies/ubnd-cap-xa/administrators', allowed: 'admin', ok: 422 },
  { method: 'get', path: () => '/admin/endpoint-hosts', allowed: 'admin', ok: 200 },
  { method: 'post', path: () => '/admin/endpoint-hosts', allowed: 'admin', ok: 422 },
  { method: 'get', path: () => '/audit', allowed: 'auditor', ok: 200 },
  { method: 'get', path: () => '/admin', allowed: 'admin', ok: 200 },
  { method: 'get', path: () => `/admin/users/${citizenId}`, allowed: 'admin', ok: 200 },
  { method: 'post', path: () => `/admin/users/${citizenId}/role`, allowed: 'admin', ok: 303 },
  { method: 'get', path: () => '/account/businesses', allowed: 'citizen', ok: 200 },
  { method: 'post', path: () => '/account/businesses', allowed: 'citizen', ok: 422 },
  { method: 'post', path: () => '/account/acting-for', allowed: 'citizen', ok: 303 },
  { method: 'get', path: () => '/applications', allowed: 'citizen', ok: 200 },
  { method: 'get', path: () => '/admin/deliveries', allowed: 'admin', ok: 200 },
  { method: 'post', path: () => '/admin/deliveries/00000000-0000-0000-0000-000000000000/redeliver', allowed: 'admin', ok: 404 },
  { method: 'get', path: () => '/agency/applications/HS-2611-0000-0000', allowed: 'officer', ok: 404 },
  { method: 'post', path: () => '/agency/applications/HS-2611-0000-0000/status', allowed: 'officer', ok: 404 },
]

describe('role checks on every staff route', () => {
  for (const route of routes) {
    it(`${route.method.toUpperCase()} ${route.path().replace(String(citizenId), ':id')}: only ${route.allowed}`, async () => {
      for (const role of everyone) {
        const agent = agents.get(role)!
        const _csrf = await csrfFrom(agent, '/account')
        const res = route.method === 'get'
          ? await agent.get(route.path())
          : await agent.post(route.path()).type('form').send({ _csrf, role: 'citizen' })
        assert.equal(res.status, role === route.allowed ? route.ok : route.also?.[role] ?? 403, `${role} on ${route.path()}`)
        if (res.status === 403) assert.match(res.text, /Không có quyền truy cập/)
      }
      const anonymous = request.agent(portal.app)
      const token = await csrfFrom(anonymous, '/account/sign-in')
      const res = route.method === 'get'
        ? await anonymous.get(route.path())
        : await anonymous.post(route.path()).type('form').send({ _csrf: token })
      assert.equal(res.status, 303)
      assert.match(res.headers['location'] ?? '', /^\/account\/sign-in\?next=/)
    })
  }

  it('the officer console shows only the officer’s own agency', async () => {
    const res = await agents.get('officer')!.get('/agency').expect(200)
    assert.match(res.text, /Ủy ban nhân dân cấp xã|UBND/i)
    assert.doesNotMatch(res.text, /Cục Quản lý xuất nhập cảnh/)
  })
})

describe('role changes', () => {
  it('an administrator makes a citizen an officer: audited, and the person’s sessions end', async () => {
    const admin = agents.get('admin')!
    const citizen = request.agent(portal.app)
    const _c = await csrfFrom(citizen, '/account/sign-in')
    await citizen.post('/account/sign-in').type('form').set('X-Forwarded-For', '198.51.100.90')
      .send({ _csrf: _c, email: demoAccounts[0]!.email, password: demoAccounts[0]!.password }).expect(303)
    await citizen.get('/account').expect(200)

    const form = await admin.get(`/admin/users/${citizenId}`).expect(200)
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!
    const missingAgency = await admin.post(`/admin/users/${citizenId}/role?lang=en`).type('form').send({ _csrf, role: 'officer' })
    assert.equal(missingAgency.status, 422)
    assert.match(missingAgency.text, /An agency officer or administrator must belong to an agency/)
    await admin.post(`/admin/users/${citizenId}/role`).type('form').send({ _csrf, role: 'officer', agencyId: 'so-tu-phap' }).expect(303)

    const user = await portal.database.handle.db.selectFrom('users').selectAll().where('id', '=', citizenId).executeTakeFirstOrThrow()
    assert.equal(user.role, 'officer')
    assert.equal(user.agency_id, 'so-tu-phap')
    const entry = await portal.database.handle.db.selectFrom('audit_events').selectAll().where('action', '=', 'role.changed').where('subject_id', '=', citizenId).executeTakeFirstOrThrow()
    assert.match(entry.detail!, /"from":"citizen","to":"officer"/)
    assert.ok(entry.actor_id)
    await citizen.get('/account').expect(303)

    // Back to citizen, so the other tests' expectations hold.
    await admin.post(`/admin/users/${citizenId}/role`).type('form').send({ _csrf, role: 'citizen' }).expect(303)
  })

  it('an administrator cannot change their own role', async () => {
    const admin = agents.get('admin')!
    const me = await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', demoAccounts[3]!.email).executeTakeFirstOrThrow()
    const page = await admin.get(`/admin/users/${me.id}`).expect(200)
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
    const res = await admin.post(`/admin/users/${me.id}/role?lang=vi`).type('form').send({ _csrf, role: 'citizen' })
    assert.equal(res.status, 422)
    assert.match(res.text, /không thể tự đổi vai trò/)
  })

  it('an unknown person is 404 for the administrator', async () => {
    await agents.get('admin')!.get('/admin/users/00000000-0000-0000-0000-000000000000').expect(404)
  })

  it('the auditor reads the trail, filtered by action', async () => {
    const res = await agents.get('auditor')!.get('/audit?action=sign-in').expect(200)
    const entries = res.text.slice(res.text.indexOf('id="events-heading"'), res.text.indexOf('id="requests-heading"'))
    assert.match(entries, /<td data-label="Hành động">Đăng nhập<\/td>/)
    assert.doesNotMatch(entries, /Tạo tài khoản/)
  })
})

describe('idle timeout', () => {
  it('signed-in pages state the timeout and carry the warning delay; the warning page does not extend the session', async () => {
    const agent = agents.get('auditor')!
    const page = await agent.get('/account').expect(200)
    assert.match(page.text, /data-session-warning-after="1680"/)
    assert.match(page.text, /sau 30 phút không thao tác/)
    const warning = await agent.get('/account/session-warning?next=/account').expect(200)
    assert.equal(sessionCookie(warning.headers['set-cookie']), undefined, 'no session cookie refreshed')
    assert.match(warning.text, /Bạn sắp bị đăng xuất/)
    assert.match(warning.text, /href="\/account"/)
    const offsite = await agent.get('/account/session-warning?next=//evil.example').expect(200)
    assert.match(offsite.text, /<a class="button" href="\/account">/, 'an off-site next falls back to the account page')
    // Still signed in: the timed-out page sends the person back.
    await agent.get('/account/timed-out?next=/account').expect(303).expect('Location', '/account')
    const gone = await request(portal.app).get('/account/timed-out?lang=en').expect(200)
    assert.match(gone.text, /You have been signed out/)
  })
})
