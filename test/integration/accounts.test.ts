import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { csrfFrom, emailsTo, linkIn, sessionCookie } from '../support/browserless.js'
import { createTestPortal, testPublicUrl, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => { portal = await createTestPortal() })
after(async () => { await portal.close() })

const password = 'mây trắng bay trên núi cao'

function expectStatus(res: request.Response, status: number): request.Response {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 300)}`)
  return res
}

// Each simulated person comes from an address of their own (documentation range,
// passed as the proxy header the portal trusts from loopback), so the per-IP limits
// count people, not the whole test file.
let client = 0
const nextAddress = () => `198.51.100.${(++client % 250) + 1}`

async function register(agent: request.Agent, email: string, fullName = 'Nguyễn Thị Lan') {
  const _csrf = await csrfFrom(agent, '/account/register')
  return agent.post('/account/register').set('X-Forwarded-For', nextAddress()).type('form').send({ _csrf, fullName, email, password })
}

async function verify(agent: request.Agent, email: string) {
  const link = linkIn(emailsTo(portal.mailDir, email).at(-1)!)
  assert.ok(link.startsWith(`${testPublicUrl}/account/verify?token=`), 'the link uses PUBLIC_URL, never the Host header')
  const url = link.slice(testPublicUrl.length)
  const page = await agent.get(url).expect(200)
  const token = /name="token" value="([^"]+)"/.exec(page.text)![1]!
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
  return agent.post('/account/verify').type('form').send({ _csrf, token })
}

async function signIn(agent: request.Agent, email: string, pass = password) {
  const _csrf = await csrfFrom(agent, '/account/sign-in')
  return agent.post('/account/sign-in').set('X-Forwarded-For', nextAddress()).type('form').send({ _csrf, email, password: pass })
}

async function verifiedAccount(email: string) {
  const agent = request.agent(portal.app)
  expectStatus(await register(agent, email), 303)
  expectStatus(await verify(agent, email), 200)
  return agent
}

describe('local accounts', () => {
  it('register, verify the email, sign in, see the account with its history, sign out', async () => {
    const agent = request.agent(portal.app)
    const res = await register(agent, 'lan@example.vn')
    assert.equal(res.status, 303)
    assert.equal(res.headers['location'], '/account/check-email')
    assert.equal(emailsTo(portal.mailDir, 'lan@example.vn').length, 1)

    const early = expectStatus(await signIn(agent, 'lan@example.vn'), 401)
    assert.match(early.text, /xác nhận email trước khi đăng nhập/)

    const verified = expectStatus(await verify(agent, 'lan@example.vn'), 200)
    assert.match(verified.text, /Email đã được xác nhận/)

    const signedIn = await signIn(agent, 'LAN@example.vn ')
    assert.equal(signedIn.status, 303)
    assert.equal(signedIn.headers['location'], '/account')
    const account = await agent.get('/account').expect(200)
    assert.match(account.text, /Nguyễn Thị Lan/)
    assert.match(account.text, /<td>Đăng nhập<\/td>\s*<td>Email và mật khẩu<\/td>/)
    assert.match(account.headers['cache-control'] ?? '', /no-store/)
    assert.match(account.text, /action="\/account\/sign-out"/)

    const _csrf = /name="_csrf" value="([^"]+)"/.exec(account.text)![1]!
    await agent.post('/account/sign-out').type('form').send({ _csrf }).expect(303).expect('Location', '/')
    await agent.get('/account').expect(303).expect('Location', '/account/sign-in?next=%2Faccount')
  })

  it('a verification link works once', async () => {
    const agent = request.agent(portal.app)
    expectStatus(await register(agent, 'once@example.vn'), 303)
    expectStatus(await verify(agent, 'once@example.vn'), 200)
    const again = expectStatus(await verify(agent, 'once@example.vn'), 400)
    assert.match(again.text, /Không thể xác nhận email/)
  })

  it('the session id changes at sign-in: a session fixed beforehand gives no access', async () => {
    await verifiedAccount('fix@example.vn')
    const agent = request.agent(portal.app)
    const page = await agent.get('/account/sign-in').expect(200)
    const before = sessionCookie(page.headers['set-cookie'])
    assert.ok(before, 'a session exists before sign-in (it holds the CSRF token)')
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
    const res = await agent.post('/account/sign-in').type('form').send({ _csrf, email: 'fix@example.vn', password }).expect(303)
    const after = sessionCookie(res.headers['set-cookie'])
    assert.ok(after && after !== before, 'a new session id')
    await request(portal.app).get('/account').set('Cookie', before).expect(303)
    await request(portal.app).get('/account').set('Cookie', after).expect(200)
  })

  it('wrong password and unknown account get the same answer', async () => {
    await verifiedAccount('same@example.vn')
    const wrong = expectStatus(await signIn(request.agent(portal.app), 'same@example.vn', 'not the right password'), 401)
    const unknown = expectStatus(await signIn(request.agent(portal.app), 'nobody@example.vn', 'not the right password'), 401)
    const message = (html: string) => /<div class="notice notice-error" role="alert"><p>([^<]+)<\/p>/.exec(html)?.[1]
    assert.ok(message(wrong.text))
    assert.equal(message(wrong.text), message(unknown.text))
  })

  it('locks the account after 5 wrong passwords, even against the right one, and audits it', async () => {
    const owner = await verifiedAccount('lock@example.vn')
    for (let i = 0; i < 5; i++) expectStatus(await signIn(request.agent(portal.app), 'lock@example.vn', `wrong password ${i}`), 401)
    expectStatus(await signIn(request.agent(portal.app), 'lock@example.vn'), 401)
    const { db } = portal.database.handle
    const actions = (await db.selectFrom('audit_events').select('action').execute()).map((r) => r.action)
    assert.ok(actions.includes('account.locked'))
    assert.ok(actions.includes('sign-in.refused-locked'))
    void owner
  })

  it('limits registrations per address', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) {
      const agent = request.agent(portal.app)
      const _csrf = await csrfFrom(agent, '/account/register')
      const res = await agent.post('/account/register').set('X-Forwarded-For', '203.0.113.7').type('form')
        .send({ _csrf, fullName: 'Flood', email: 'not-an-email', password: 'x' })
      statuses.push(res.status)
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(422))
    assert.equal(statuses[10], 429)
  })

  it('limits sign-in attempts per account from one address, counted in the database under a hash of the address', async () => {
    const agent = () => request.agent(portal.app)
    const from = async (ip: string, i: number) => {
      const a = agent()
      const _csrf = await csrfFrom(a, '/account/sign-in')
      return (await a.post('/account/sign-in').set('X-Forwarded-For', ip).type('form').send({ _csrf, email: 'target@example.vn', password: `guess number ${i}` })).status
    }
    let last = 0
    for (let i = 0; i < 11; i++) last = await from('203.0.113.77', i)
    assert.equal(last, 429)
    assert.equal(await from('203.0.113.78', 99), 401, 'another address is not refused for the first one’s attempts')
    const keys = (await portal.database.handle.db.selectFrom('rate_limits').select(['key', 'hits']).execute())
    assert.ok(keys.every((k) => !k.key.includes('@')), 'no plain email address in the rate-limit store')
    assert.ok(keys.some((k) => k.key.startsWith('sign-in-account:') && Number(k.hits) >= 10))
  })

  it('registering an address that has an account reveals nothing and emails its owner', async () => {
    await verifiedAccount('taken@example.vn')
    const res = await register(request.agent(portal.app), 'taken@example.vn', 'Someone Else')
    assert.equal(res.status, 303)
    assert.equal(res.headers['location'], '/account/check-email')
    const mails = emailsTo(portal.mailDir, 'taken@example.vn')
    assert.equal(mails.length, 2)
    assert.match(mails[1]!, /Subject: =\?UTF-8\?|Subject: .*email/i)
    const users = await portal.database.handle.db.selectFrom('users').select('full_name').where('email', '=', 'taken@example.vn').execute()
    assert.deepEqual(users.map((u) => u.full_name), ['Nguyễn Thị Lan'])
  })

  it('bad registration input: 422, an error summary linked to each field, answers kept but not the password', async () => {
    const agent = request.agent(portal.app)
    const _csrf = await csrfFrom(agent, '/account/register?lang=en')
    const res = await agent.post('/account/register').type('form').send({ _csrf, fullName: '', email: 'not-an-email', password: 'short' }).expect(422)
    assert.match(res.text, /There is a problem/)
    assert.match(res.text, /<a href="#fullName">Enter your full name<\/a>/)
    assert.match(res.text, /<a href="#email">Enter an email address in the correct format/)
    assert.match(res.text, /<a href="#password">Password must be 12 to 128 characters<\/a>/)
    assert.match(res.text, /value="not-an-email"/)
    assert.match(res.text, /aria-invalid="true"/)
    assert.doesNotMatch(res.text, /value="short"/)
  })

  it('refuses a common password, in the user’s language', async () => {
    const agent = request.agent(portal.app)
    const _csrf = await csrfFrom(agent, '/account/register?lang=fr')
    const res = await agent.post('/account/register').type('form')
      .send({ _csrf, fullName: 'Jean Dupont', email: 'jean@example.fr', password: 'password1234' }).expect(422)
    assert.match(res.text, /Ce mot de passe est trop courant/)
  })

  it('never redirects off the site after sign-in', async () => {
    await verifiedAccount('next@example.vn')
    for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      const agent = request.agent(portal.app)
      const _csrf = await csrfFrom(agent, '/account/sign-in')
      const res = await agent.post('/account/sign-in').type('form').send({ _csrf, email: 'next@example.vn', password, next })
      assert.equal(res.headers['location'], '/account', next)
    }
  })
})

describe('password reset', () => {
  async function requestReset(email: string) {
    const agent = request.agent(portal.app)
    const _csrf = await csrfFrom(agent, '/account/reset')
    return agent.post('/account/reset').set('X-Forwarded-For', nextAddress()).type('form').send({ _csrf, email })
  }

  async function resetWith(link: string, newPassword: string) {
    const agent = request.agent(portal.app)
    const page = await agent.get(link.slice(testPublicUrl.length)).expect(200)
    const token = /name="token" value="([^"]+)"/.exec(page.text)![1]!
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
    return agent.post('/account/reset/confirm').type('form').send({ _csrf, token, password: newPassword })
  }

  it('a reset link sets a new password once, ends every session, and lifts a lockout', async () => {
    const owner = await verifiedAccount('reset@example.vn')
    expectStatus(await signIn(owner, 'reset@example.vn'), 303)
    await owner.get('/account').expect(200)
    for (let i = 0; i < 5; i++) await signIn(request.agent(portal.app), 'reset@example.vn', `wrong password ${i}`)

    expectStatus(await requestReset('reset@example.vn'), 303)
    const link = linkIn(emailsTo(portal.mailDir, 'reset@example.vn').at(-1)!)
    assert.ok(link.startsWith(`${testPublicUrl}/account/reset/confirm?token=`))
    const done = expectStatus(await resetWith(link, 'một mật khẩu mới thật dài'), 200)
    assert.match(done.text, /Đã đổi mật khẩu/)

    await owner.get('/account').expect(303)
    expectStatus(await signIn(request.agent(portal.app), 'reset@example.vn'), 401)
    expectStatus(await signIn(request.agent(portal.app), 'reset@example.vn', 'một mật khẩu mới thật dài'), 303)
    expectStatus(await resetWith(link, 'lại một mật khẩu khác nữa'), 400)
  })

  it('an unknown address gets the same page, and an email saying no password account uses it (no link to reset)', async () => {
    const res = expectStatus(await requestReset('ghost@example.vn'), 303)
    assert.equal(res.headers['location'], '/account/reset/sent')
    const mails = emailsTo(portal.mailDir, 'ghost@example.vn')
    assert.equal(mails.length, 1)
    assert.doesNotMatch(mails[0]!, /reset\/confirm/)
    assert.match(linkIn(mails[0]!), /\/account\/register$/)
  })

  it('someone who knows only the address cannot keep its owner out: the reset still comes, and its link ends the lockout', async () => {
    await verifiedAccount('besieged@example.vn')
    for (let i = 0; i < 12; i++) await signIn(request.agent(portal.app), 'besieged@example.vn', `attacker guess ${i}`)
    for (let i = 0; i < 5; i++) await requestReset('besieged@example.vn')
    expectStatus(await signIn(request.agent(portal.app), 'besieged@example.vn'), 401)
    const asked = expectStatus(await requestReset('besieged@example.vn'), 303)
    assert.equal(asked.headers['location'], '/account/reset/sent', 'the owner is not shown a refusal')
    const link = linkIn(emailsTo(portal.mailDir, 'besieged@example.vn').at(-1)!)
    expectStatus(await resetWith(link, 'mật khẩu mới của chủ tài khoản'), 200)
    expectStatus(await signIn(request.agent(portal.app), 'besieged@example.vn', 'mật khẩu mới của chủ tài khoản'), 303)
  })

  it('an expired link is refused', async () => {
    await verifiedAccount('late@example.vn')
    await requestReset('late@example.vn')
    const link = linkIn(emailsTo(portal.mailDir, 'late@example.vn').at(-1)!)
    await portal.database.handle.db.updateTable('email_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('purpose', '=', 'reset-password').execute()
    expectStatus(await resetWith(link, 'một mật khẩu mới thật dài'), 400)
  })

  it('the new password follows the same rules', async () => {
    await verifiedAccount('rules@example.vn')
    await requestReset('rules@example.vn')
    const link = linkIn(emailsTo(portal.mailDir, 'rules@example.vn').at(-1)!)
    const res = expectStatus(await resetWith(link, 'password1234'), 422)
    assert.match(res.text, /quá phổ biến/)
  })
})

describe('CSRF protection', () => {
  it('a form posted without its token is refused with 403', async () => {
    const agent = request.agent(portal.app)
    await csrfFrom(agent, '/account/sign-in')
    const res = await agent.post('/account/sign-in').type('form').send({ email: 'a@example.vn', password: 'whatever it is' }).expect(403)
    assert.match(res.text, /Biểu mẫu đã hết hạn/)
  })

  it('a wrong token, or a token from another session, is refused', async () => {
    const agent = request.agent(portal.app)
    await csrfFrom(agent, '/account/sign-in')
    const other = await csrfFrom(request.agent(portal.app), '/account/sign-in')
    await agent.post('/account/sign-in').type('form').send({ _csrf: 'forged', email: 'a@example.vn', password: 'x' }).expect(403)
    await agent.post('/account/sign-in').type('form').send({ _csrf: other, email: 'a@example.vn', password: 'x' }).expect(403)
  })

  it('a cross-site request is refused even with a valid token', async () => {
    const agent = request.agent(portal.app)
    const _csrf = await csrfFrom(agent, '/account/sign-in')
    await agent.post('/account/sign-in').set('Origin', 'https://evil.example').type('form').send({ _csrf, email: 'a@example.vn', password: 'x' }).expect(403)
    await agent.post('/account/sign-in').set('Sec-Fetch-Site', 'cross-site').type('form').send({ _csrf, email: 'a@example.vn', password: 'x' }).expect(403)
  })

  it('the API takes no session cookie and needs no CSRF token', async () => {
    const res = await request(portal.app).get('/api/v1/services?pageSize=1').expect(200)
    assert.equal(res.headers['set-cookie'], undefined)
  })

  it('in production the session cookie is __Host-sid, Secure, HttpOnly, SameSite=Lax', async () => {
    const prod = await createTestPortal({ production: true })
    try {
      const res = await request(prod.app).get('/account/sign-in').set('X-Forwarded-Proto', 'https').expect(200)
      const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('__Host-sid='))
      assert.ok(cookie, 'a __Host- session cookie')
      assert.match(cookie, /; Path=\//)
      assert.match(cookie, /; HttpOnly/)
      assert.match(cookie, /; Secure/)
      assert.match(cookie, /; SameSite=Lax/)
      assert.doesNotMatch(cookie, /Domain=/)
    } finally {
      await prod.close()
    }
  })
})
