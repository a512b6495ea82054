import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { newReference } from '../../server/domain/applications/reference.js'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { csrfFrom } from '../support/browserless.js'
import { createTestPortal, testPublicUrl, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => {
  portal = await createTestPortal({ cacheSeconds: 60 })
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
})
after(async () => { await portal.close() })

describe('headers on every answer', () => {
  it('security headers and a Permissions-Policy on pages, assets, /healthz and /readyz', async () => {
    const asset = /href="(\/assets\/css\/app\.css\?v=\w+)"/.exec((await request(portal.app).get('/').expect(200)).text)![1]!
    for (const path of ['/', asset, '/healthz', '/readyz', '/api/v1/services?pageSize=1']) {
      const res = await request(portal.app).get(path).expect(200)
      assert.match(String(res.headers['permissions-policy']), /camera=\(\)/, path)
      assert.equal(res.headers['x-content-type-options'], 'nosniff', path)
      assert.equal(res.headers['x-frame-options'], 'DENY', path)
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, path)
      assert.match(String(res.headers['strict-transport-security']), /max-age=31536000/, path)
    }
  })

  it('the Agency API answers with the fixed headers of what is not a page: nothing may run, nothing may frame it', async () => {
    for (const path of ['/api/v1/agency/applications', '/API/v1/Agency/applications/X']) {
      const res = await request(portal.app).get(path).expect(401)
      assert.equal(res.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", path)
      assert.match(String(res.headers['permissions-policy']), /camera=\(\)/, path)
      assert.equal(res.headers['x-content-type-options'], 'nosniff', path)
      assert.equal(res.headers['x-frame-options'], 'DENY', path)
      assert.match(String(res.headers['strict-transport-security']), /max-age=31536000/, path)
      assert.match(String(res.headers['content-type']), /application\/problem\+json/, path)
    }
  })

  it('no-store on every page for a signed-in session or carrying a CSRF token; public pages stay cacheable', async () => {
    for (const path of ['/account/sign-in', '/account/register', '/account/reset', '/status']) {
      assert.equal((await request(portal.app).get(path).expect(200)).headers['cache-control'], 'no-store', path)
    }
    assert.notEqual((await request(portal.app).get('/services/dang-ky-khai-sinh').expect(200)).headers['cache-control'], 'no-store')
    const agent = request.agent(portal.app)
    const _csrf = await csrfFrom(agent, '/account/sign-in')
    await agent.post('/account/sign-in').type('form').send({ _csrf, email: demoAccounts[0]!.email, password: demoAccounts[0]!.password }).expect(303)
    for (const path of ['/', '/services/dang-ky-khai-sinh', '/search?q=ho+chieu', '/agencies/ubnd-cap-xa', '/open-data']) {
      assert.equal((await agent.get(path).expect(200)).headers['cache-control'], 'no-store', path)
    }
  })

  it('links in open data come from PUBLIC_URL, never from Host or X-Forwarded-Proto', async () => {
    const forged = { Host: 'evil.example', 'X-Forwarded-Proto': 'gopher', 'X-Forwarded-Host': 'evil.example' }
    const list = await request(portal.app).get('/api/v1/services?pageSize=2').set(forged).expect(200)
    const one = await request(portal.app).get('/api/v1/services/dang-ky-khai-sinh').set(forged).expect(200)
    const file = await request(portal.app).get('/open-data/services.json').set(forged).expect(200)
    const urls = [...(list.body as { items: Array<{ url: string }> }).items.map((i) => i.url), (one.body as { url: string }).url,
      ...(JSON.parse(String(file.text)) as Array<{ url: string }>).slice(0, 3).map((s) => s.url)]
    for (const url of urls) assert.ok(url.startsWith(`${testPublicUrl}/services/`), url)
    assert.doesNotMatch(list.text + one.text + file.text, /evil\.example|gopher/)
  })

  it('believes X-Forwarded-For only from proxies the settings name', async () => {
    const direct = await createTestPortal({ trustProxy: false })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 21; i++) {
        const visitor = request.agent(direct.app)
        const _csrf = await csrfFrom(visitor, '/status')
        statuses.push((await visitor.post('/status').set('X-Forwarded-For', `198.51.100.${i + 1}`).type('form')
          .send({ _csrf, reference: newReference(), secret: '01/01/1990' })).status)
      }
      assert.equal(statuses.at(-1), 429, 'each forged address would otherwise get a fresh allowance')
    } finally {
      await direct.close()
    }
  })
})
