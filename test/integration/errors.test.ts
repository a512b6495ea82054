import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { createApp } from '../../server/app.js'
import type { CatalogueService } from '../../server/domain/catalogue/catalogueService.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => { portal = await createTestPortal() })
after(async () => { await portal.close() })

// A catalogue whose database has failed: every read rejects.
const failing = new Proxy({}, {
  get: (_target, name) => (name === 'onChange' ? () => {} : () => Promise.reject(new Error('database is on fire at /secret/path.ts:42'))),
}) as CatalogueService

function appWith(production: boolean) {
  return createApp({ ...portal.appDeps, config: { ...portal.appDeps.config, production }, services: { ...portal.services, catalogue: failing } })
}

describe('server errors', () => {
  it('a failure is a 500 page in the user’s language with a reference, and no stack trace in production', async () => {
    const res = await request(appWith(true)).get('/services/dang-ky-khai-sinh?lang=en').expect(500)
    assert.match(res.text, /<h1>Something went wrong<\/h1>/)
    assert.match(res.text, /Nothing you saved has been lost/)
    const id = res.headers['x-request-id']
    assert.ok(id && res.text.includes(`Error reference: ${id}`))
    assert.doesNotMatch(res.text, /on fire|secret\/path|at .*\.ts/)
    const vi = await request(appWith(true)).get('/').expect(500)
    assert.match(vi.text, /<h1>Đã xảy ra lỗi<\/h1>/)
  })

  it('outside production the developer sees the stack trace', async () => {
    const res = await request(appWith(false)).get('/').expect(500)
    assert.match(res.text, /database is on fire/)
  })

  it('on the API a failure is problem+json without internals', async () => {
    const res = await request(appWith(true)).get('/api/v1/services/x').set('Accept-Language', 'fr').expect(500)
    assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/)
    const body = JSON.parse(res.text)
    assert.equal(body.title, 'Erreur du serveur')
    assert.doesNotMatch(res.text, /on fire/)
  })
})
