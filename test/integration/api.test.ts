import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => { portal = await createTestPortal() })
after(async () => { await portal.close() })

describe('open-data API', () => {
  it('GET /api/v1/services lists the catalogue with names in three languages', async () => {
    const res = await request(portal.app).get('/api/v1/services').expect(200).expect('Content-Type', /json/)
    assert.equal(res.body.page, 1)
    assert.equal(res.body.pageSize, 20)
    assert.ok(res.body.total >= 40, `at least 40 services, got ${res.body.total}`)
    assert.equal(res.body.items.length, 20)
    const first = res.body.items[0]
    for (const lang of ['vi', 'en', 'fr']) assert.ok(first.name[lang], `name.${lang}`)
    assert.ok(first.agency.id && first.agency.name.vi)
    assert.ok(['full', 'partial'].includes(first.onlineLevel))
    assert.match(first.url, /\/services\/[a-z0-9-]+$/)
  })

  it('the catalogue covers at least 8 agencies', async () => {
    const res = await request(portal.app).get('/api/v1/services?pageSize=100').expect(200)
    const agencies = new Set(res.body.items.map((i: { agency: { id: string } }) => i.agency.id))
    assert.ok(agencies.size >= 8, `agencies: ${agencies.size}`)
  })

  it('GET /api/v1/services/{id} gives one service in full', async () => {
    const res = await request(portal.app).get('/api/v1/services/dang-ky-ket-hon').expect(200)
    assert.equal(res.body.id, 'dang-ky-ket-hon')
    assert.equal(res.body.name.fr, 'Enregistrement du mariage')
    assert.equal(res.body.feeVnd, 0)
    assert.ok(res.body.documents.length > 0)
    assert.deepEqual(res.body.lifeEvents, ['ket-hon'])
  })

  it('an unknown id is a problem+json 404 in the requested language', async () => {
    const res = await request(portal.app).get('/api/v1/services/nope').set('Accept-Language', 'en').expect(404)
    assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/)
    const body = JSON.parse(res.text)
    assert.equal(body.status, 404)
    assert.equal(body.title, 'Not found')
    assert.equal(body.detail, 'There is no service with the id “nope”.')
  })

  it('invalid parameters are a problem+json 400 naming every bad field', async () => {
    const res = await request(portal.app).get('/api/v1/services?page=-1&pageSize=1000&lang=de&agency=Bad%20Id').expect(400)
    const body = JSON.parse(res.text)
    assert.equal(body.status, 400)
    const names = body['invalid-params'].map((p: { name: string }) => p.name).sort()
    assert.deepEqual(names, ['agency', 'lang', 'page', 'pageSize'])
    const fr = JSON.parse((await request(portal.app).get('/api/v1/services?pageSize=0').set('Accept-Language', 'fr').expect(400)).text)
    assert.equal(fr.title, 'Paramètres invalides')
    assert.equal(fr['invalid-params'][0].reason, 'doit être compris entre 1 et 100')
    const long = await request(portal.app).get(`/api/v1/services?q=${'a'.repeat(201)}`).expect(400)
    assert.equal(JSON.parse(long.text)['invalid-params'][0].name, 'q')
    const repeated = await request(portal.app).get('/api/v1/services?q=a&q=b').expect(400)
    assert.equal(JSON.parse(repeated.text)['invalid-params'][0].name, 'q')
  })

  it('an unknown API path is problem+json, not an HTML page', async () => {
    const res = await request(portal.app).get('/api/v1/nothing').expect(404)
    assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/)
  })

  it('serves an OpenAPI 3.1 document that describes the paths it answers', async () => {
    const res = await request(portal.app).get('/api/v1/openapi.json').expect(200)
    assert.equal(res.body.openapi, '3.1.0')
    const paths = Object.keys(res.body.paths)
    assert.ok(paths.includes('/services') && paths.includes('/services/{id}'))
    const params = res.body.paths['/services'].get.parameters.map((p: { name: string }) => p.name)
    assert.deepEqual(params, ['q', 'lang', 'agency', 'category', 'page', 'pageSize'])
    const service = await request(portal.app).get('/api/v1/services/dang-ky-khai-sinh').expect(200)
    const required = [
      ...res.body.components.schemas.ServiceSummary.required,
      ...res.body.components.schemas.Service.allOf[1].required,
    ]
    for (const field of required) assert.ok(field in service.body, `documented field ${field} present`)
    assert.deepEqual(Object.keys(service.body).sort(), [...required].sort(), 'no undocumented fields')
  })

  it('the CSV download holds every service, UTF-8 with a byte-order mark', async () => {
    const api = await request(portal.app).get('/api/v1/services?pageSize=1').expect(200)
    const res = await request(portal.app).get('/open-data/services.csv').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = []
      r.on('data', (c: Buffer) => chunks.push(c))
      r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')))
    }).expect(200)
    assert.match(res.headers['content-type'] ?? '', /text\/csv/)
    assert.match(res.headers['content-disposition'] ?? '', /attachment/)
    const text = res.body as string
    assert.equal(text.charCodeAt(0), 0xfeff)
    const lines = text.slice(1).trimEnd().split('\r\n')
    assert.equal(lines[0]?.split(',')[0], 'id')
    assert.equal(lines.length - 1, api.body.total)
    assert.ok(lines.some((l) => l.startsWith('dang-ky-khai-sinh,') && l.includes('Đăng ký khai sinh')))
  })

  it('the JSON download is an array of every service', async () => {
    const api = await request(portal.app).get('/api/v1/services?pageSize=1').expect(200)
    const res = await request(portal.app).get('/open-data/services.json').buffer(true).parse((r, cb) => {
      let data = ''
      r.on('data', (c: Buffer) => { data += c.toString('utf8') })
      r.on('end', () => cb(null, JSON.parse(data)))
    }).expect(200)
    assert.ok(Array.isArray(res.body))
    assert.equal(res.body.length, api.body.total)
    assert.ok(res.body.every((s: { name: { vi: string } }) => s.name.vi))
  })
})
