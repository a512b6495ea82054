import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import type { Agent } from 'supertest'
import { createCatalogueRepository } from '../../server/db/catalogueRepository.js'
import { createCatalogueService } from '../../server/domain/catalogue/catalogueService.js'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { csrfFrom } from '../support/browserless.js'
import { citizen } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

const agency = 'so-tu-phap'
const ctx = { ip: '127.0.0.1', requestId: 'test' }
const three = (vi: string, en: string, fr: string) => ({ vi, en, fr })

/** A service in the manifest format, with a one-page form whose field is `field`. */
function library(name = 'Cấp thẻ thư viện tỉnh', field = 'lyDo') {
  return {
    name: three(name, 'Provincial library card', 'Carte de la bibliothèque provinciale'),
    description: three('Thẻ bạn đọc của thư viện tỉnh.', 'A reader’s card of the provincial library.', 'Une carte de lecteur de la bibliothèque provinciale.'),
    documents: [three('Ảnh chân dung', 'A portrait photo', 'Une photo d’identité')],
    fee: { vnd: 20000 },
    processingDays: 3,
    onlineLevel: 'full',
    applicants: ['citizen'],
    lifeEvents: ['giay-to-tuy-than'],
    legalBasis: 'Luật Thư viện 2019',
    form: {
      profileFields: ['fullName'],
      pages: [{ id: 'thong-tin', title: three('Thông tin', 'Details', 'Renseignements'), fields: [
        { id: field, type: 'text', label: three('Lý do', 'Reason', 'Motif') },
      ] }],
      declaration: three('Tôi cam đoan thông tin trên là đúng.', 'I declare the above is true.', 'Je déclare que ce qui précède est exact.'),
    },
  }
}

let portal: TestPortal
let token: string
let admin: Agent

const api = (method: 'get' | 'put' | 'post', path: string, bearer = token) => request(portal.app)[method](`/api/v1/agency${path}`).set('Authorization', `Bearer ${bearer}`)

async function signIn(email: string): Promise<Agent> {
  const agent = request.agent(portal.app)
  const _csrf = await csrfFrom(agent, '/account/sign-in')
  await agent.post('/account/sign-in').type('form').send({ _csrf, email, password: demoAccounts.find((a) => a.email === email)!.password }).expect(303)
  return agent
}

async function approve(serviceId: string, version: number) {
  const _csrf = await csrfFrom(admin, `/admin/services/${serviceId}/${version}`)
  await admin.post(`/admin/services/${serviceId}/${version}`).type('form').send({ _csrf, decision: 'approve' }).expect(303)
}

before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
  const owner = await citizen(portal, 'qt-stp@example.vn')
  token = (await portal.services.agencies.keys.create(agency, { name: 'k', scopes: ['services:write'], environment: 'live' }, owner.id, ctx)).token
  admin = await signIn('admin@demo.dichvucong.invalid')
})
after(async () => { await portal.close() })

describe('an agency registers a service over the API; a portal administrator approves it', () => {
  it('refuses a service that does not match the manifest schema, naming each field by its path', async () => {
    const bad = library()
    bad.name.vi = ''
    ;(bad.form.pages[0]!.fields[0] as { type: string }).type = 'colour'
    const res = await api('put', '/services/the-thu-vien').send({ ...bad, lifeEvents: ['khong-co'], processingDays: -1 }).expect(422)
    assert.match(res.headers['content-type']!, /problem\+json/)
    const names = res.body['invalid-params'].map((p: { name: string }) => p.name)
    for (const path of ['name.vi', 'processingDays', 'form.pages.0.fields.0.type']) assert.ok(names.includes(path), `${path} in ${names.join(', ')}`)
    const notJson = await api('put', '/services/the-thu-vien').set('Content-Type', 'application/json').send('{"name":').expect(400)
    assert.match(notJson.headers['content-type']!, /problem\+json/)
  })

  it('draft → in review → approved: found by search and open for applications only once approved', async () => {
    const created = await api('put', '/services/the-thu-vien').send(library()).expect(201)
    assert.deepEqual([created.body.version, created.body.state], [1, 'draft'])
    const edited = await api('put', '/services/the-thu-vien').send(library('Cấp thẻ thư viện tỉnh (sửa)')).expect(200)
    assert.deepEqual([edited.body.version, edited.body.state], [1, 'draft'], 'editing a draft keeps its version')
    await request(portal.app).get('/services/the-thu-vien').expect(404)
    assert.equal((await portal.services.catalogue.find({ q: 'thu vien tinh', lang: 'vi', page: 1, pageSize: 10 })).total, 0)

    const submitted = await api('post', '/services/the-thu-vien/submit').expect(200)
    assert.equal(submitted.body.state, 'in_review')
    await api('put', '/services/the-thu-vien').send(library()).expect(409)
    await api('post', '/services/the-thu-vien/submit').expect(409)

    const queue = await admin.get('/admin/services').expect(200)
    assert.match(queue.text, /the-thu-vien\/1/)
    const _csrf = await csrfFrom(admin, '/admin/services/the-thu-vien/1')
    const noNote = await admin.post('/admin/services/the-thu-vien/1').type('form').send({ _csrf, decision: 'reject' })
    assert.equal(noNote.status, 422, 'sending back needs a note')
    await approve('the-thu-vien', 1)

    const page = await request(portal.app).get('/services/the-thu-vien').expect(200)
    assert.match(page.text, /Cấp thẻ thư viện tỉnh \(sửa\)/)
    const found = await portal.services.catalogue.find({ q: 'the thu vien', lang: 'vi', page: 1, pageSize: 10 })
    assert.equal(found.items[0]?.id, 'the-thu-vien')
    const state = await api('get', '/services/the-thu-vien').expect(200)
    assert.deepEqual(state.body.inForce.version, 1)
    assert.equal(state.body.versions[0].state, 'approved')
    const audit = await portal.database.handle.db.selectFrom('audit_events').select('action').where('action', 'like', 'service.%').orderBy('id').execute()
    assert.deepEqual(audit.map((a) => a.action), ['service.draft-created', 'service.draft-edited', 'service.submitted', 'service.approved'])
  })

  it('a key never reaches another agency’s service, and a manifest’s service stays with its manifest', async () => {
    const other = await portal.services.agencies.keys.create('cong-an-cap-xa', { name: 'k', scopes: ['services:write'], environment: 'live' }, 'test', ctx)
    await api('put', '/services/the-thu-vien', other.token).send(library()).expect(404)
    await api('get', '/services/the-thu-vien', other.token).expect(404)
    await api('post', '/services/the-thu-vien/submit', other.token).expect(404)
    const manifest = await api('put', '/services/dang-ky-tam-tru', other.token).send(library()).expect(409)
    assert.match(manifest.body.detail, /manifest/)
    const readOnly = await portal.services.agencies.keys.create(agency, { name: 'r', scopes: ['applications:read'], environment: 'live' }, 'test', ctx)
    await api('put', '/services/the-thu-vien', readOnly.token).send(library()).expect(403)
  })

  it('four eyes: the person who wrote or submitted a version cannot approve it', async () => {
    const registration = portal.services.agencies.services
    const adminId = (await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', 'admin@demo.dichvucong.invalid').executeTakeFirstOrThrow()).id
    await registration.saveDraft(agency, 'ban-sao-tu-so', { ...library('Cấp bản sao từ sổ gốc'), id: 'ban-sao-tu-so' }, adminId, ctx)
    await registration.submit(agency, 'ban-sao-tu-so', adminId, ctx)
    await assert.rejects(registration.review('ban-sao-tu-so', 1, { approve: true }, adminId, ctx), /own-review/)
  })

  it('an edit of a service in force is the next version; an application keeps the version it was made with', async () => {
    const person = await citizen(portal, 'ban-doc@example.vn')
    const { application: first } = await portal.services.applications.start(person, 'the-thu-vien', undefined, ctx)
    assert.equal(first.serviceVersion, 1)

    const next = await api('put', '/services/the-thu-vien').send(library('Cấp thẻ thư viện tỉnh', 'mucDich')).expect(200)
    assert.deepEqual([next.body.version, next.body.state], [2, 'draft'])
    await request(portal.app).get('/services/the-thu-vien').expect(200)
    await api('post', '/services/the-thu-vien/submit').expect(200)
    await approve('the-thu-vien', 2)

    const kept = await portal.services.applications.serviceWithForm('the-thu-vien', first.serviceVersion)
    assert.equal(kept.form.pages[0]!.fields[0]!.id, 'lyDo', 'the first application keeps version 1’s form')
    const current = await portal.services.applications.serviceWithForm('the-thu-vien', 2)
    assert.equal(current.form.pages[0]!.fields[0]!.id, 'mucDich')
    const other = await citizen(portal, 'ban-doc-2@example.vn')
    const { application: second } = await portal.services.applications.start(other, 'the-thu-vien', undefined, ctx)
    assert.equal(second.serviceVersion, 2)
  })

  it('a search shows the version in force: a new title and fee at once in this instance, within seconds in another', async () => {
    const other = createCatalogueService(createCatalogueRepository(portal.database.handle.db, portal.database.handle.dialect), { cacheSeconds: 0 })
    const stop = other.followChanges(50)
    try {
      const query = { q: 'the thu vien', lang: 'vi' as const, page: 1, pageSize: 10 }
      // Seen once before the change, so that the hit's summary and its rendering are kept.
      const before = await request(portal.app).get('/search?q=the+thu+vien').expect(200)
      assert.match(before.text, /Cấp thẻ thư viện tỉnh</)
      assert.equal((await other.find(query)).items[0]?.name.vi, 'Cấp thẻ thư viện tỉnh')

      await api('put', '/services/the-thu-vien').send({ ...library('Cấp thẻ thư viện tỉnh điện tử', 'mucDich'), fee: { vnd: 35000 } }).expect(200)
      await api('post', '/services/the-thu-vien/submit').expect(200)
      const unchanged = await request(portal.app).get('/search?q=the+thu+vien').expect(200)
      assert.doesNotMatch(unchanged.text, /điện tử/, 'a version in review is not shown')
      await approve('the-thu-vien', 3)
      const approvedAt = Date.now()

      const after = await request(portal.app).get('/search?q=the+thu+vien').expect(200)
      assert.match(after.text, /Cấp thẻ thư viện tỉnh điện tử</)
      assert.match(after.text, /35\.000/)
      assert.doesNotMatch(after.text, /20\.000/)
      let shown = ''
      while (shown !== 'Cấp thẻ thư viện tỉnh điện tử' && Date.now() - approvedAt < 3_000) {
        await new Promise((r) => setTimeout(r, 25))
        shown = (await other.find(query)).items[0]?.name.vi ?? ''
      }
      assert.equal(shown, 'Cấp thẻ thư viện tỉnh điện tử', 'the other instance shows the new title')
    } finally {
      stop()
    }
  })

  it('suspended or retired: not listed, not found, not applied for; resumed: back', async () => {
    const registration = portal.services.agencies.services
    await registration.setStatus(agency, 'the-thu-vien', 'suspended', 'test', ctx)
    await request(portal.app).get('/services/the-thu-vien').expect(404)
    await request(portal.app).get('/services/the-thu-vien/apply').expect(404)
    const listed = await portal.services.catalogue.find({ q: 'the thu vien', lang: 'vi', page: 1, pageSize: 10 })
    assert.ok(!listed.items.some((s) => s.id === 'the-thu-vien'), listed.items.map((s) => s.id).join(', '))
    await assert.rejects(registration.setStatus('cong-an-cap-xa', 'the-thu-vien', 'active', 'test', ctx), /not-found/)
    await registration.setStatus(agency, 'the-thu-vien', 'active', 'test', ctx)
    await request(portal.app).get('/services/the-thu-vien').expect(200)
    await registration.setStatus(agency, 'the-thu-vien', 'retired', 'test', ctx)
    await assert.rejects(registration.setStatus(agency, 'the-thu-vien', 'active', 'test', ctx), /status/)
    await request(portal.app).get('/services/the-thu-vien').expect(404)
  })

  it('another instance with its catalogue cache on sees an approved service within seconds', async () => {
    const { handle } = portal.database
    const other = createCatalogueService(createCatalogueRepository(handle.db, handle.dialect), { cacheSeconds: 60 })
    const stop = other.followChanges(50)
    try {
      const query = { q: 'chung thuc chu ky', lang: 'vi' as const, page: 1, pageSize: 10 }
      assert.equal((await other.find(query)).total, 0, 'cached: nothing found yet')
      await api('put', '/services/chung-thuc-chu-ky').send(library('Chứng thực chữ ký')).expect(201)
      await api('post', '/services/chung-thuc-chu-ky/submit').expect(200)
      await approve('chung-thuc-chu-ky', 1)
      const approvedAt = Date.now()
      let found = 0
      while (!found && Date.now() - approvedAt < 3_000) {
        await new Promise((r) => setTimeout(r, 25))
        found = (await other.find(query)).total
      }
      assert.equal(found, 1, 'the other instance drops its cache and finds it')
      assert.ok(Date.now() - approvedAt < 1_000)
    } finally {
      stop()
    }
  })
})

describe('the agency administrator’s service pages', () => {
  it('edit the JSON, see errors by path, submit; the administrator approves', async () => {
    const agencyAdmin = await signIn('agency-admin@demo.dichvucong.invalid')
    const list = await agencyAdmin.get('/agency/services').expect(200)
    assert.match(list.text, /name="id"/)
    const editor = await agencyAdmin.get('/agency/services/xac-nhan-cu-tru-xa').expect(200)
    assert.match(editor.text, /&#34;processingDays&#34;/, 'a new id opens a template')
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(editor.text)![1]!
    const broken = await agencyAdmin.post('/agency/services/xac-nhan-cu-tru-xa').type('form').send({ _csrf, content: '{"name": ' })
    assert.equal(broken.status, 422)
    const invalid = await agencyAdmin.post('/agency/services/xac-nhan-cu-tru-xa').type('form').send({ _csrf, content: JSON.stringify({ ...library(), fee: {} }) })
    assert.equal(invalid.status, 422)
    assert.match(invalid.text, /<code>fee.vnd<\/code>/)
    const saved = await agencyAdmin.post('/agency/services/xac-nhan-cu-tru-xa').type('form').send({ _csrf, content: JSON.stringify(library('Xác nhận cư trú tại xã')) })
    assert.equal(saved.status, 303)
    const submitted = await agencyAdmin.post('/agency/services/xac-nhan-cu-tru-xa/submit').type('form').send({ _csrf })
    assert.equal(submitted.status, 303)
    await approve('xac-nhan-cu-tru-xa', 1)
    const page = await request(portal.app).get('/services/xac-nhan-cu-tru-xa').expect(200)
    assert.match(page.text, /Xác nhận cư trú tại xã/)
    await agencyAdmin.get('/agency/services/the-thu-vien').expect(404)
  })
})
