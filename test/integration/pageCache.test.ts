import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import express from 'express'
import request from 'supertest'
import { createPageCache, encodePage } from '../../server/web/pageCache.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => { portal = await createTestPortal({ cacheSeconds: 60 }) })
after(async () => { await portal.close() })

describe('with the catalogue cache on', () => {
  it('a second request gets the same page and ETag; If-None-Match gets 304', async () => {
    const first = await request(portal.app).get('/services/dang-ky-ket-hon').expect(200)
    const second = await request(portal.app).get('/services/dang-ky-ket-hon').expect(200)
    assert.equal(second.text, first.text)
    assert.ok(first.headers['etag'])
    assert.equal(second.headers['etag'], first.headers['etag'])
    await request(portal.app).get('/services/dang-ky-ket-hon').set('If-None-Match', first.headers['etag']!).expect(304)
  })

  it('sends a kept page with the headers it was first sent with, its CSP without the nonce', async () => {
    const first = await request(portal.app).get('/agencies/ubnd-cap-xa').expect(200)
    const second = await request(portal.app).get('/agencies/ubnd-cap-xa').expect(200)
    const policy = String(first.headers['content-security-policy'])
    assert.match(policy, /script-src 'self' 'nonce-[^']+';/, 'the page rendered: a nonce of its own')
    // The kept page has no inline script: no nonce allows one.
    assert.equal(second.headers['content-security-policy'], policy.replace(/ 'nonce-[^']+'/g, ''))
    assert.doesNotMatch(String(second.headers['content-security-policy']), /nonce/)
    const without = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([name]) => !['date', 'x-request-id', 'content-security-policy'].includes(name)))
    assert.deepEqual(without(second.headers), without(first.headers))
    assert.notEqual(second.headers['x-request-id'], first.headers['x-request-id'])
  })

  it('keeps one page per language', async () => {
    const vi = await request(portal.app).get('/services/dang-ky-ket-hon').expect(200)
    const en = await request(portal.app).get('/services/dang-ky-ket-hon').set('Cookie', 'lang=en').expect(200)
    assert.match(vi.text, /<h1>Đăng ký kết hôn<\/h1>/)
    assert.match(en.text, /<h1>Marriage registration<\/h1>/)
  })

  it('unknown records are still 404 and are not cached', async () => {
    await request(portal.app).get('/services/khong-ton-tai').expect(404)
    await request(portal.app).get('/services/khong-ton-tai').expect(404)
    await request(portal.app).get('/agencies/khong-ton-tai').expect(404)
    await request(portal.app).get('/life-events/khong-ton-tai').expect(404)
  })

  it('search results are shared by spellings that fold alike, and stay correct', async () => {
    const a = await request(portal.app).get('/api/v1/services?q=Đăng ký khai sinh').expect(200)
    const b = await request(portal.app).get('/api/v1/services?q=dang ky khai sinh').expect(200)
    assert.equal(a.body.items[0].id, 'dang-ky-khai-sinh')
    assert.equal(b.body.total, a.body.total)
    assert.deepEqual(b.body.items.map((i: { id: string }) => i.id), a.body.items.map((i: { id: string }) => i.id))
  })
})

describe('a page holding its nonce', () => {
  it('is sent, never kept for another visitor', async () => {
    const app = express()
    app.use((_req, res, next) => { res.locals.lang = 'vi'; res.locals['cspNonce'] = `n${Math.random()}`; next() })
    const pages = createPageCache(60, () => false)
    app.use(pages.serveHits())
    let rendered = 0
    app.get('/inline', (req, res) => pages.serve(req, res, async () => { rendered++; return encodePage(`<script nonce="${String(res.locals['cspNonce'])}">1</script>`) }))
    app.get('/plain', (req, res) => pages.serve(req, res, async () => { rendered++; return encodePage('<p>plain</p>') }))
    await request(app).get('/inline').expect(200)
    await request(app).get('/inline').expect(200)
    assert.equal(rendered, 2, 'rendered again for the second visitor')
    await request(app).get('/plain').expect(200)
    await request(app).get('/plain').expect(200)
    assert.equal(rendered, 3, 'a page without its nonce is kept')
  })
})
