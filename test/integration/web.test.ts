import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => { portal = await createTestPortal() })
after(async () => { await portal.close() })

function directives(csp: string): Map<string, string> {
  return new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/)
    return [name!, values.join(' ')]
  }))
}

describe('security headers and request ids', () => {
  it('sends a strict CSP with a fresh nonce per request and no unsafe-inline', async () => {
    const a = await request(portal.app).get('/').expect(200)
    const b = await request(portal.app).get('/').expect(200)
    const csp = a.headers['content-security-policy'] ?? ''
    const d = directives(csp)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
    assert.equal(d.get('default-src'), "'none'")
    assert.equal(d.get('object-src'), "'none'")
    assert.equal(d.get('base-uri'), "'none'")
    assert.equal(d.get('form-action'), "'self'")
    assert.equal(d.get('frame-ancestors'), "'none'")
    const nonce = /'nonce-([^']+)'/.exec(d.get('script-src') ?? '')?.[1]
    assert.ok(nonce && nonce.length >= 16)
    assert.notEqual(nonce, /'nonce-([^']+)'/.exec(b.headers['content-security-policy'] ?? '')?.[1])
    assert.match(a.headers['strict-transport-security'] ?? '', /max-age=31536000/)
    assert.equal(a.headers['x-content-type-options'], 'nosniff')
    assert.equal(a.headers['x-frame-options'], 'DENY')
    assert.equal(a.headers['x-powered-by'], undefined)
  })

  it('the page carries no inline script or style without the nonce', async () => {
    const res = await request(portal.app).get('/services/dang-ky-khai-sinh').expect(200)
    assert.doesNotMatch(res.text, /<script(?![^>]*nonce=)[^>]*>(?!<\/script>)/)
    assert.doesNotMatch(res.text, /\sstyle="/)
    assert.doesNotMatch(res.text, /\son[a-z]+="/)
  })

  it('returns X-Request-Id, and keeps a well-formed one from the proxy', async () => {
    const fresh = await request(portal.app).get('/healthz').expect(200)
    assert.match(fresh.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/)
    const kept = await request(portal.app).get('/').set('X-Request-Id', 'proxy-abc-12345678').expect(200)
    assert.equal(kept.headers['x-request-id'], 'proxy-abc-12345678')
    const junk = await request(portal.app).get('/').set('X-Request-Id', 'bad id <script>').expect(200)
    assert.match(junk.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/)
  })

  it('the language cookie is Secure in production', async () => {
    const prod = await import('../support/testApp.js').then((m) => m.createTestPortal({ production: true }))
    try {
      const res = await request(prod.app).get('/?lang=fr').expect(200)
      assert.match(res.headers['set-cookie']?.[0] ?? '', /Secure/)
      assert.match(res.headers['content-security-policy'] ?? '', /upgrade-insecure-requests/)
    } finally {
      await prod.close()
    }
  })
})

describe('health', () => {
  it('/healthz answers while the process is up; /readyz checks the database', async () => {
    await request(portal.app).get('/healthz').expect(200, { status: 'ok' })
    await request(portal.app).get('/readyz').expect(200, { status: 'ready' })
  })

  it('/readyz is 503 when the database does not answer', async () => {
    const other = await import('../support/testApp.js').then((m) => m.createTestPortal())
    await other.database.handle.close()
    await request(other.app).get('/readyz').expect(503, { status: 'unavailable' })
    await other.close().catch(() => {})
  })
})
