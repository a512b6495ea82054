import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
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
    assert.notEqual(second.headers['content-security-policy'], first.headers['content-security-policy'], 'a fresh nonce each time')
    await request(portal.app).get('/services/dang-ky-ket-hon').set('If-None-Match', first.headers['etag']!).expect(304)
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
