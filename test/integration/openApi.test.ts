import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import request from 'supertest'
import { agencyApiRoutes } from '../../server/routes/agencyApiRoutes.js'
import { apiRoutes } from '../../server/routes/apiRoutes.js'
import { statisticsRoutes } from '../../server/routes/statisticsRoutes.js'
import { createPageCache } from '../../server/web/pageCache.js'
import { startAgencyServer, testSecret } from '../support/agencyServer.js'
import { citizen, reread, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

const agency = 'cong-an-cap-xa'
const ctx = { ip: '127.0.0.1', requestId: 'test' }
type Operation = { responses: Record<string, { content?: Record<string, { schema: object }> }> }
type Document = { paths: Record<string, Record<string, Operation>> }

let portal: TestPortal
let receiver: Awaited<ReturnType<typeof startAgencyServer>>
let document: Document
let live: string
let test: string
let reference: string
let deliveryId: string
let approved: string
const pdf = Buffer.from('%PDF-1.7\n% an agency’s signed document, as the test sends it\n%%EOF\n')

before(async () => {
  receiver = await startAgencyServer(testSecret)
  portal = await createTestPortal({ agencyEndpoints: { [agency]: { url: receiver.url, secret: testSecret } }, endpointAllow: ['127.0.0.1/32'] })
  const owner = await citizen(portal, 'openapi@example.vn')
  const scopes = ['services:write', 'applications:read', 'applications:write', 'deliveries:read', 'deliveries:write']
  live = (await portal.services.agencies.keys.create(agency, { name: 'live', scopes, environment: 'live' }, owner.id, ctx)).token
  test = (await portal.services.agencies.keys.create(agency, { name: 'test', scopes, environment: 'test' }, owner.id, ctx)).token
  const app = await submitted(portal, await citizen(portal, 'nguoi-nop-openapi@example.vn'))
  await portal.dispatcher.drain()
  reference = app.reference
  deliveryId = (await portal.database.handle.db.selectFrom('outbox').select('id').where('application_id', '=', app.id).executeTakeFirstOrThrow()).id
  const second = await submitted(portal, await citizen(portal, 'nguoi-nop-openapi@example.vn'))
  await portal.dispatcher.drain()
  approved = second.reference
  await portal.services.applications.transition((await reread(portal, approved)), 'approved', { id: owner.id, kind: 'officer' })
  document = (await request(portal.app).get('/api/v1/openapi.json').expect(200)).body as Document
})
after(async () => {
  await portal.close()
  await receiver.close()
})

const library = {
  name: { vi: 'Cấp thẻ thư viện', en: 'Library card', fr: 'Carte de bibliothèque' },
  description: { vi: 'Thẻ bạn đọc.', en: 'A reader’s card.', fr: 'Une carte de lecteur.' },
  documents: [], fee: { vnd: 0 }, processingDays: 1, onlineLevel: 'full', applicants: ['citizen'], lifeEvents: ['giay-to-tuy-than'],
}

/** Every operation of the document, called for each answer it can give here. */
function calls(): Array<{ method: 'get' | 'post' | 'put', path: string, url: () => string, key?: () => string, body?: object | Buffer, headers?: Record<string, string> }> {
  const k = () => live
  const pdfType = { 'Content-Type': 'application/pdf' }
  return [
    { method: 'get', path: '/services', url: () => '/services?q=khai+sinh' },
    { method: 'get', path: '/services', url: () => '/services?page=0' },
    { method: 'get', path: '/services/{id}', url: () => '/services/dang-ky-khai-sinh' },
    { method: 'get', path: '/services/{id}', url: () => '/services/khong-co' },
    { method: 'get', path: '/statistics', url: () => '/statistics' },
    { method: 'get', path: '/statistics.csv', url: () => '/statistics.csv' },
    { method: 'get', path: '/statistics/agencies/{id}', url: () => `/statistics/agencies/${agency}` },
    { method: 'get', path: '/statistics/agencies/{id}', url: () => '/statistics/agencies/khong-co' },
    { method: 'get', path: '/statistics/services/{id}', url: () => '/statistics/services/dang-ky-tam-tru' },
    { method: 'get', path: '/statistics/services/{id}', url: () => '/statistics/services/khong-co' },
    { method: 'get', path: '/agency/applications', url: () => '/agency/applications?limit=1', key: k },
    { method: 'get', path: '/agency/applications', url: () => '/agency/applications?status=lost', key: k },
    { method: 'get', path: '/agency/applications', url: () => '/agency/applications' },
    { method: 'get', path: '/agency/applications', url: () => '/agency/applications', key: () => test },
    { method: 'get', path: '/agency/applications/{reference}', url: () => `/agency/applications/${reference}`, key: k },
    { method: 'get', path: '/agency/applications/{reference}', url: () => '/agency/applications/HS-2611-0000-0000', key: k },
    { method: 'get', path: '/agency/applications/{reference}/documents/{id}', url: () => `/agency/applications/${reference}/documents/nothing`, key: k },
    { method: 'post', path: '/agency/applications/{reference}/events', url: () => `/agency/applications/${reference}/events`, key: () => test, body: { status: 'in_review' } },
    { method: 'post', path: '/agency/applications/{reference}/events', url: () => `/agency/applications/${reference}/events`, key: k, body: { status: 'in_review' }, headers: { 'Idempotency-Key': 'walk-1' } },
    { method: 'post', path: '/agency/applications/{reference}/events', url: () => `/agency/applications/${reference}/events`, key: k, body: { status: 'in_review' }, headers: { 'Idempotency-Key': 'walk-1' } },
    { method: 'post', path: '/agency/applications/{reference}/events', url: () => `/agency/applications/${reference}/events`, key: k, body: { status: 'approved' }, headers: { 'Idempotency-Key': 'walk-1' } },
    { method: 'post', path: '/agency/applications/{reference}/events', url: () => `/agency/applications/${reference}/events`, key: k, body: { status: 'in_review' } },
    { method: 'post', path: '/agency/applications/{reference}/events', url: () => `/agency/applications/${reference}/events`, key: k, body: { status: 'rejected' } },
    { method: 'post', path: '/agency/applications/{reference}/result', url: () => `/agency/applications/${reference}/result`, key: k },
    { method: 'post', path: '/agency/applications/{reference}/result', url: () => '/agency/applications/HS-2611-0000-0000/result', key: k },
    { method: 'post', path: '/agency/applications/{reference}/result', url: () => `/agency/applications/${approved}/result`, key: () => test, body: pdf, headers: pdfType },
    { method: 'post', path: '/agency/applications/{reference}/result', url: () => `/agency/applications/${approved}/result`, key: k, body: Buffer.from('not a pdf'), headers: pdfType },
    { method: 'post', path: '/agency/applications/{reference}/result', url: () => `/agency/applications/${approved}/result`, key: k, body: pdf, headers: pdfType },
    { method: 'post', path: '/agency/applications/{reference}/result', url: () => `/agency/applications/${approved}/result`, key: k, body: pdf, headers: pdfType },
    { method: 'post', path: '/agency/applications/{reference}/result', url: () => `/agency/applications/${approved}/result`, key: k },
    { method: 'put', path: '/agency/services/{id}', url: () => '/agency/services/the-thu-vien-mo', key: k, body: library },
    { method: 'put', path: '/agency/services/{id}', url: () => '/agency/services/the-thu-vien-mo', key: k, body: library },
    { method: 'put', path: '/agency/services/{id}', url: () => '/agency/services/the-thu-vien-mo', key: k, body: { ...library, fee: {} } },
    { method: 'put', path: '/agency/services/{id}', url: () => '/agency/services/dang-ky-tam-tru', key: k, body: library },
    { method: 'get', path: '/agency/services', url: () => '/agency/services', key: k },
    { method: 'get', path: '/agency/services/{id}', url: () => '/agency/services/the-thu-vien-mo', key: k },
    { method: 'get', path: '/agency/services/{id}', url: () => '/agency/services/khong-co', key: k },
    { method: 'post', path: '/agency/services/{id}/submit', url: () => '/agency/services/the-thu-vien-mo/submit', key: k },
    { method: 'post', path: '/agency/services/{id}/submit', url: () => '/agency/services/the-thu-vien-mo/submit', key: k },
    { method: 'get', path: '/agency/deliveries', url: () => '/agency/deliveries', key: k },
    { method: 'post', path: '/agency/deliveries/{id}/redeliver', url: () => `/agency/deliveries/${deliveryId}/redeliver`, key: k },
    { method: 'post', path: '/agency/deliveries/{id}/redeliver', url: () => '/agency/deliveries/nothing/redeliver', key: k },
    { method: 'get', path: '/agency/endpoint', url: () => '/agency/endpoint', key: k },
  ]
}

describe('the OpenAPI 3.1 document', () => {
  it('describes every route the API routers answer, each with its security', () => {
    const documented = new Set(Object.entries(document.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)))
    const routers = [apiRoutes(portal.services.catalogue, 'http://portal.test'), agencyApiRoutes({
      ...portal.services.agencies, applications: portal.services.applications, results: portal.services.results, publicUrl: 'http://portal.test',
      rateLimitStore: portal.services.bufferedRateLimitStore, perMinute: 10,
    }), statisticsRoutes({ statistics: portal.services.statistics, catalogue: portal.services.catalogue, pages: createPageCache(0, () => false), publicUrl: 'http://portal.test' })]
    const answered = new Set<string>()
    for (const router of routers) {
      for (const layer of router.stack as Array<{ route?: { path: string, methods: Record<string, boolean> } }>) {
        // The API's routes; the statistics router also answers pages and a CSV outside /api/v1.
        if (!layer.route?.path.startsWith('/api/v1/') || layer.route.path === '/api/v1/openapi.json') continue
        const template = layer.route.path.replace(/^\/api\/v1/, '').replace(/:(\w+)/g, '{$1}')
        for (const method of Object.keys(layer.route.methods)) answered.add(`${method.toUpperCase()} ${template}`)
      }
    }
    assert.deepEqual([...answered].sort(), [...documented].sort())
    for (const [p, ops] of Object.entries(document.paths)) {
      for (const op of Object.values(ops) as Array<{ security?: unknown[] }>) {
        assert.ok(Array.isArray(op.security), `${p} states its security`)
        if (p.startsWith('/agency/')) assert.deepEqual(op.security, [{ agencyKey: [] }])
      }
    }
  })

  it('every operation answers as documented: status, content type and a body the schema accepts', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats.default(ajv)
    ajv.addSchema({ ...document, $id: 'openapi' })
    const walked = new Set<string>()
    for (const call of calls()) {
      const operation = document.paths[call.path]?.[call.method]
      assert.ok(operation, `${call.method} ${call.path} is documented`)
      let req = request(portal.app)[call.method](`/api/v1${call.url()}`)
      if (call.key) req = req.set('Authorization', `Bearer ${call.key()}`)
      for (const [name, value] of Object.entries(call.headers ?? {})) req = req.set(name, value)
      const res = call.body ? await req.send(call.body) : await req
      const documented = operation.responses[String(res.status)]
      assert.ok(documented, `${call.method.toUpperCase()} ${call.url()} answered ${res.status}, which the document does not list`)
      const [type, media] = Object.entries(documented.content ?? {})[0] ?? []
      if (!type) continue
      assert.equal(res.headers['content-type']?.split(';')[0], type, `${call.url()}: content type`)
      if (type.includes('json')) {
        const pointer = `openapi#/paths/${call.path.replace(/~/g, '~0').replace(/\//g, '~1')}/${call.method}/responses/${res.status}/content/${type.replace(/\//g, '~1')}/schema`
        const validate = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer })
        assert.ok(validate(res.body), `${call.method.toUpperCase()} ${call.url()} ${res.status}: ${ajv.errorsText(validate.errors)}`)
      }
      void media
      walked.add(`${call.method} ${call.path}`)
    }
    const all = Object.entries(document.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
    assert.deepEqual(all.filter((o) => !walked.has(o)), [], 'every operation walked')
  })
})
