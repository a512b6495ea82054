import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { csrfFrom, sessionCookie } from '../support/browserless.js'
import { devClient } from '../support/identityProvider.js'
import { nationalSignIn, portalWithDevProvider, throughProvider } from '../support/nationalSignIn.js'
import { answer, start as startApplication, submit } from '../support/applying.js'
import { createTestPortal, testPublicUrl } from '../support/testApp.js'

let portal: Awaited<ReturnType<typeof portalWithDevProvider>>
before(async () => { portal = await portalWithDevProvider() })
after(async () => { await portal.close() })

type Start = { headers: Record<string, string> }
const db = () => portal.database.handle.db

/** Rewrites one value the portal keeps in the session for the sign-in in flight. */
async function tamperSession(cookie: string, change: (state: Record<string, string>) => void) {
  const sid = decodeURIComponent(cookie.split('=')[1]!).replace(/^s:/, '').split('.')[0]!
  const row = await db().selectFrom('sessions').select('data').where('sid', '=', sid).executeTakeFirstOrThrow()
  const data = JSON.parse(row.data) as Record<string, Record<string, string>>
  change(data['oidc:national']!)
  await db().updateTable('sessions').set({ data: JSON.stringify(data) }).where('sid', '=', sid).execute()
}

describe('national sign-in (OpenID Connect against the development provider)', () => {
  it('sends state, nonce and an S256 PKCE challenge, and asks the provider to authenticate every time', async () => {
    const agent = request.agent(portal.app)
    const start = await agent.get('/auth/national').expect(302)
    const url = new URL(start.headers['location']!)
    assert.equal(url.origin, new URL(portal.idp.issuer).origin)
    assert.equal(url.searchParams.get('response_type'), 'code')
    assert.equal(url.searchParams.get('client_id'), devClient.clientId)
    assert.equal(url.searchParams.get('redirect_uri'), `${testPublicUrl}/auth/national/callback`)
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256')
    assert.match(url.searchParams.get('code_challenge') ?? '', /^[\w-]{43}$/)
    assert.match(url.searchParams.get('state') ?? '', /^[\w-]{20,}$/)
    assert.match(url.searchParams.get('nonce') ?? '', /^[\w-]{20,}$/)
    assert.equal(url.searchParams.get('prompt'), 'login')
    assert.deepEqual(url.searchParams.get('scope')?.split(' ').sort(), ['national_id', 'openid', 'phone', 'profile'])
  })

  it('a first sign-in creates the account from the verified claims; the next finds it again; the session id changes', async () => {
    const agent = request.agent(portal.app)
    const start = await agent.get('/auth/national?next=/account/profile').expect(302)
    const before = sessionCookie(start.headers['set-cookie'])
    assert.ok(before)
    const { callbackPath } = await throughProvider(start as unknown as Start, 'vn-demo-0001')
    const done = await agent.get(callbackPath).expect(303).expect('Location', '/account/profile')
    const after = sessionCookie(done.headers['set-cookie'])
    assert.ok(after && after !== before, 'the session id is regenerated at sign-in')

    const profile = await agent.get('/account/profile').expect(200)
    assert.match(profile.text, /Nguyễn Văn An/)
    assert.match(profile.text, /001085012345/)
    assert.match(profile.text, /mức 2/)
    assert.doesNotMatch(profile.text, /name="citizenId"/, 'a verified citizen ID is not editable')
    const account = await agent.get('/account').expect(200)
    assert.match(account.text, /Định danh điện tử quốc gia, mức 2/)

    const users = await db().selectFrom('users').selectAll().where('national_sub', '=', 'vn-demo-0001').execute()
    assert.equal(users.length, 1)
    assert.equal(users[0]!.citizen_id, '001085012345')
    assert.equal(users[0]!.birthdate, '1985-04-12')
    assert.equal(users[0]!.assurance_level, 2)
    assert.equal(users[0]!.email, null)

    const again = await nationalSignIn(request.agent(portal.app), 'vn-demo-0001')
    assert.equal(again.status, 303)
    const count = await db().selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('national_sub', '=', 'vn-demo-0001').executeTakeFirstOrThrow()
    assert.equal(Number(count.n), 1)
    const signIns = await db().selectFrom('audit_events').select(['detail']).where('action', '=', 'sign-in').where('subject_id', '=', users[0]!.id).execute()
    assert.equal(signIns.length, 2)
    assert.match(signIns[0]!.detail!, /"method":"national","level":2/)
  })

  it('refuses a callback whose state was tampered with, and signs nobody in', async () => {
    const agent = request.agent(portal.app)
    const start = await agent.get('/auth/national').expect(302)
    const { callbackPath } = await throughProvider(start as unknown as Start, 'vn-demo-0002')
    const url = new URL(callbackPath, testPublicUrl)
    url.searchParams.set('state', `${url.searchParams.get('state')}x`)
    const refused = await agent.get(url.pathname + url.search).expect(400)
    assert.match(refused.text, /Chưa đăng nhập được bằng định danh quốc gia/)
    await agent.get('/account').expect(303)
    assert.equal(await db().selectFrom('users').select('id').where('national_sub', '=', 'vn-demo-0002').executeTakeFirst(), undefined)
    const failed = await db().selectFrom('audit_events').select('detail').where('action', '=', 'sign-in.failed').execute()
    assert.ok(failed.some((f) => f.detail?.includes('"method":"national"')))
  })

  it('refuses the callback in another browser (no state in its session) and a replayed code', async () => {
    const agent = request.agent(portal.app)
    const start = await agent.get('/auth/national').expect(302)
    const { callbackPath } = await throughProvider(start as unknown as Start, 'vn-demo-0002')
    await request.agent(portal.app).get(callbackPath).expect(400)
    // The state was used up by nothing yet in this browser: the first use succeeds, a replay fails.
    await agent.get(callbackPath).expect(303)
    await agent.get(callbackPath).expect(400)
  })

  it('checks the nonce inside the ID token and the PKCE verifier at the token endpoint', async () => {
    for (const field of ['nonce', 'code_verifier']) {
      const agent = request.agent(portal.app)
      const start = await agent.get('/auth/national').expect(302)
      const cookie = sessionCookie(start.headers['set-cookie'])!
      const { callbackPath } = await throughProvider(start as unknown as Start, 'vn-demo-0003')
      await tamperSession(cookie, (state) => { state[field] = 'A'.repeat(43) })
      await agent.get(callbackPath).expect(400)
      await agent.get('/account').expect(303)
    }
  })

  it('links a national identity to a local account, and refuses it for a second account', async () => {
    const { demoAccounts } = await import('../../server/domain/identity/demoAccounts.js')
    await portal.services.accounts.ensureDemoAccounts(demoAccounts)
    const agent = request.agent(portal.app)
    const _csrf = await csrfFrom(agent, '/account/sign-in')
    await agent.post('/account/sign-in').type('form').set('X-Forwarded-For', '198.51.100.60')
      .send({ _csrf, email: demoAccounts[0]!.email, password: demoAccounts[0]!.password }).expect(303)
    const token = await csrfFrom(agent, '/account/profile')
    await agent.post('/account/link-national').type('form').send({ _csrf: token }).expect(303).expect('Location', '/auth/national?link=1&next=/account/profile')
    const linked = await nationalSignIn(agent, 'vn-demo-0004', '/auth/national?link=1&next=/account/profile')
    assert.equal(linked.status, 303)
    assert.equal(linked.headers['location'], '/account/profile?linked=1')
    const profile = await agent.get('/account/profile?linked=1').expect(200)
    assert.match(profile.text, /Phạm Quốc Dũng/)
    assert.match(profile.text, /031206000777/)
    const user = await db().selectFrom('users').selectAll().where('email', '=', demoAccounts[0]!.email).executeTakeFirstOrThrow()
    assert.equal(user.national_sub, 'vn-demo-0004')
    assert.ok(await db().selectFrom('audit_events').select('id').where('action', '=', 'account.linked').where('subject_id', '=', user.id).executeTakeFirst())

    // The auditor's account tries to link the same person: refused, nothing changes.
    const other = request.agent(portal.app)
    const c2 = await csrfFrom(other, '/account/sign-in')
    await other.post('/account/sign-in').type('form').set('X-Forwarded-For', '198.51.100.61')
      .send({ _csrf: c2, email: demoAccounts[2]!.email, password: demoAccounts[2]!.password }).expect(303)
    await other.post('/account/link-national').type('form').send({ _csrf: await csrfFrom(other, '/account/profile') }).expect(303)
    const refused = await nationalSignIn(other, 'vn-demo-0004', '/auth/national?link=1')
    assert.equal(refused.status, 400)
    assert.match(refused.text, /đã gắn với một tài khoản khác/)
    const auditor = await db().selectFrom('users').selectAll().where('email', '=', demoAccounts[2]!.email).executeTakeFirstOrThrow()
    assert.equal(auditor.national_sub, null)
  })

  it('carries the level the provider vouched for: level 2 gets a judicial record certificate, level 1 is refused', async () => {
    const outcomes: Record<string, string> = {}
    for (const [sub, name, citizenId, birthdate, gender] of [
      ['vn-demo-0002', 'Đặng Thị Hoa', '079301004567', '2001-09-30', 'female'],
      ['vn-demo-0003', 'Lê Minh Châu', '048190007890', '1990-01-15', 'female'],
    ] as const) {
      const agent = request.agent(portal.app)
      assert.equal((await nationalSignIn(agent, sub)).status, 303)
      const level = sub === 'vn-demo-0002' ? 2 : 1
      assert.match((await agent.get('/account').expect(200)).text, new RegExp(`Định danh điện tử quốc gia, mức ${level}`))
      const { reference } = await startApplication(agent, 'cap-phieu-ly-lich-tu-phap')
      assert.equal((await answer(agent, reference, 'nguoi-nop', { applicantName: name, applicantCitizenId: citizenId, applicantPhone: '0912345678', applicantBirthdate: birthdate, applicantGender: gender, applicantAddress: '5 Tràng Tiền' })).status, 303)
      assert.equal((await answer(agent, reference, 'phieu', { certificateType: '1', copies: '1', purpose: 'Xin việc', delivery: 'online' })).status, 303)
      assert.equal((await submit(agent, reference)).status, 303)
      await portal.dispatcher.drain()
      const app = await db().selectFrom('applications').select(['status', 'assurance_level']).where('reference', '=', reference).executeTakeFirstOrThrow()
      assert.equal(app.assurance_level, level)
      outcomes[sub] = app.status
    }
    assert.deepEqual(outcomes, { 'vn-demo-0002': 'received', 'vn-demo-0003': 'rejected' })
  })

  it('is never blocked by password failures: a locked account still signs in nationally', async () => {
    await db().updateTable('users').set({ locked_until: new Date(Date.now() + 3_600_000).toISOString(), failed_sign_ins: 4 }).where('national_sub', '=', 'vn-demo-0001').execute()
    const agent = request.agent(portal.app)
    assert.equal((await nationalSignIn(agent, 'vn-demo-0001')).status, 303)
    await agent.get('/account').expect(200)
  })

  it('says national sign-in is unavailable (503, not 500) when the provider does not answer', async () => {
    const down = await createTestPortal({ nationalId: { issuer: 'http://127.0.0.1:9', ...devClient } })
    try {
      const res = await request(down.app).get('/auth/national?lang=en').expect(503)
      assert.match(res.text, /not available right now/)
    } finally {
      await down.close()
    }
  })
})
