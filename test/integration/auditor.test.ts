import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import type { Agent } from 'supertest'
import { answer, start, submit } from '../support/applying.js'
import { csrfFrom } from '../support/browserless.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

const password = 'mật khẩu kiểm toán thử nghiệm'
const people = {
  citizen: { email: 'cong-dan-kt@example.vn', fullName: 'Đặng Thị Hoa', role: 'citizen' as const, password },
  officer: { email: 'can-bo-kt@example.vn', fullName: 'Vũ Minh Khang', role: 'officer' as const, agencyId: 'cong-an-cap-xa', password },
  auditor: { email: 'kiem-toan@example.vn', fullName: 'Lý Thu Trang', role: 'auditor' as const, password },
}
const citizenIdNumber = '038190004321'
const answers = { applicantCitizenId: '001085012345', stayAddress: '77 Hàng Bạc, Hoàn Kiếm, Hà Nội' }
const reason = 'Khiếu nại số 12/2026 của công dân'

let portal: TestPortal
const agents: Record<keyof typeof people, Agent> = {} as never
let reference: string
let apiToken: string
let citizenUserId: string

async function signIn(who: keyof typeof people, from: string) {
  const agent = request.agent(portal.app)
  const _csrf = await csrfFrom(agent, '/account/sign-in')
  await agent.post('/account/sign-in').type('form').set('X-Forwarded-For', from).send({ _csrf, email: people[who].email, password }).expect(303)
  agents[who] = agent
}

before(async () => {
  portal = await createTestPortal({ agencyApiPerMinute: 1000 })
  await portal.services.accounts.ensureDemoAccounts(Object.values(people))
  citizenUserId = (await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', people.citizen.email).executeTakeFirstOrThrow()).id
  await portal.database.handle.db.updateTable('users').set({ citizen_id: citizenIdNumber }).where('id', '=', citizenUserId).execute()
  const adminId = (await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', people.officer.email).executeTakeFirstOrThrow()).id
  apiToken = (await portal.services.agencies.keys.create('cong-an-cap-xa', { name: 'Phần mềm một cửa xã', scopes: ['applications:read'], environment: 'live' },
    adminId, { ip: '127.0.0.1', requestId: 'setup' })).token
  await signIn('citizen', '198.51.100.21')
  await signIn('officer', '198.51.100.22')
  await signIn('auditor', '198.51.100.23')

  // The citizen applies; the officer reads it; the agency's system pulls it.
  reference = (await start(agents.citizen, 'dang-ky-tam-tru')).reference
  assert.equal((await answer(agents.citizen, reference, 'nguoi-nop', { applicantName: people.citizen.fullName, applicantCitizenId: answers.applicantCitizenId, applicantPhone: '0912345678' })).status, 303)
  assert.equal((await answer(agents.citizen, reference, 'noi-o', {
    stayAddress: answers.stayAddress, permanentAddress: '5 Trần Phú, Vinh, Nghệ An', stayFrom: new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10),
    stayMonths: '12', housing: 'owner',
  })).status, 303)
  assert.equal((await submit(agents.citizen, reference)).status, 303)
  await portal.dispatcher.drain()
  await agents.officer.get(`/agency/applications/${reference}`).set('X-Forwarded-For', '198.51.100.22').expect(200)
  await request(portal.app).get(`/api/v1/agency/applications/${reference}`).set('Authorization', `Bearer ${apiToken}`).set('X-Forwarded-For', '203.0.113.40').expect(200)
})
after(async () => { await portal.close() })

describe('the auditor’s console', () => {
  // The request log is written behind, about once a second: the tests write it out first.
  before(() => portal.services.audit.requestLog.flush())
  it('is for auditors only', async () => {
    await agents.citizen.get('/audit').expect(403)
    await agents.officer.get('/audit/export.csv').expect(403)
  })

  it('asks for a reason before searching by person, and names the field', async () => {
    const res = await agents.auditor.get('/audit').query({ person: people.citizen.fullName }).expect(422)
    assert.match(res.text, /href="#reason"/)
    assert.match(res.text, /Ghi lý do/)
  })

  it('finds the officer’s and the system’s reads from the citizen’s name, with names and readable actions, and records the search', async () => {
    const res = await agents.auditor.get('/audit').query({ person: 'dang thi hoa', reason, action: 'data.read' }).expect(200)
    assert.match(res.text, /Tìm thấy 1 người/)
    assert.ok(res.text.includes(`${people.officer.fullName} (Cán bộ`), 'the officer by name and role')
    assert.ok(res.text.includes('Khoá API “Phần mềm một cửa xã”'), 'the agency system by its key’s name')
    assert.ok(res.text.includes(reference))
    // Request ids are what an auditor searches by; the ids of people, keys and agencies never show.
    const ids = await portal.database.handle.db.selectFrom('users').select('id').execute()
    const keyIds = await portal.database.handle.db.selectFrom('api_keys').select('id').execute()
    for (const { id } of [...ids, ...keyIds]) assert.ok(!res.text.includes(id), `the page shows the id ${id}`)
    assert.doesNotMatch(res.text, /\{"reference"/, 'no raw JSON')
    const read = await portal.database.handle.db.selectFrom('audit_events').selectAll().where('action', '=', 'data.read').where('subject_id', '=', citizenUserId)
      .where('actor_id', '=', (await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', people.auditor.email).executeTakeFirstOrThrow()).id).execute()
    assert.equal(read.length, 1)
    assert.equal(JSON.parse(read[0]!.detail!).reason, reason)
  })

  it('finds the person by citizen ID number too, and goes from an entry to its request and back', async () => {
    const res = await agents.auditor.get('/audit').query({ person: citizenIdNumber, reason, action: 'data.read' }).expect(200)
    const officerRead = await portal.database.handle.db.selectFrom('audit_events').select('request_id').where('action', '=', 'data.read')
      .where('reference', '=', reference).orderBy('id').executeTakeFirstOrThrow()
    assert.ok(res.text.includes(`/audit?request=${officerRead.request_id}`))
    const behind = await agents.auditor.get('/audit').query({ request: officerRead.request_id }).expect(200)
    assert.ok(behind.text.includes(`GET /agency/applications/${reference}`), 'the request behind the read')
    assert.ok(behind.text.includes('/agency/applications/:ref'), 'with its route')
    assert.ok(behind.text.includes('198.51.100.22'))
  })

  it('shows one application’s whole history across the trail and the request log', async () => {
    const res = await agents.auditor.get('/audit').query({ reference }).expect(200)
    for (const label of ['Bắt đầu hồ sơ', 'Nộp hồ sơ', 'Đọc dữ liệu của công dân']) assert.ok(res.text.includes(label), label)
    assert.ok(res.text.includes(`POST /applications/${reference}/submit`))
    assert.ok(res.text.includes(`GET /api/v1/agency/applications/${reference}`))
  })

  it('filters by status, and refuses a malformed filter naming it', async () => {
    const ok = await agents.auditor.get('/audit').query({ status: '3', reference }).expect(200)
    assert.ok(ok.text.includes(`POST /applications/${reference}/submit`), 'the 303 of the submission')
    assert.ok(!ok.text.includes(`GET /api/v1/agency/applications/${reference}`), 'not the 200 of the API')
    const bad = await agents.auditor.get('/audit').query({ from: '2026-13-45', action: 'nothing.like.this' }).expect(422)
    assert.match(bad.text, /href="#from"/)
    assert.match(bad.text, /href="#action"/)
  })

  it('exports the filtered view as CSV and NDJSON, streamed, each export an audit entry', async () => {
    const csv = await agents.auditor.get('/audit/export.csv').query({ reference }).expect(200)
    assert.match(csv.headers['content-type']!, /text\/csv/)
    assert.match(csv.headers['content-disposition']!, /attachment; filename="?audit-.*\.csv/)
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n')
    assert.equal(lines[0], 'kind,at,request_id,action,what,who,about,on_behalf_of,agency,reference,detail,ip,leaf_index')
    assert.equal(lines.filter((l) => l.startsWith('audit,') && l.includes(',data.read,')).length, 2)
    assert.ok(lines.some((l) => l.startsWith('request,') && l.includes(`/api/v1/agency/applications/${reference}`)))
    const ndjson = await agents.auditor.get('/audit/export.ndjson').query({ person: people.citizen.email, reason }).expect(200)
    const rows = ndjson.text.trim().split('\n').map((l) => JSON.parse(l) as { kind: string, action?: string })
    assert.ok(rows.some((r) => r.kind === 'audit' && r.action === 'data.read'))
    assert.ok(rows.some((r) => r.kind === 'request'))
    const exports = await portal.database.handle.db.selectFrom('audit_events').selectAll().where('action', '=', 'audit.exported').execute()
    assert.deepEqual(exports.map((e) => JSON.parse(e.detail!).format).sort(), ['csv', 'ndjson'])
    await agents.auditor.get('/audit/export.csv').query({ person: people.citizen.email }).expect(422)
  })
})

describe('the citizen’s view of the same log', () => {
  it('lists the officer’s, the system’s and the auditor’s reads, with why', async () => {
    const res = await agents.citizen.get('/account/data-use').expect(200)
    assert.ok(res.text.includes(people.officer.fullName))
    assert.ok(res.text.includes('Phần mềm một cửa xã'))
    assert.ok(res.text.includes(`Kiểm toán: ${reason}`))
    assert.ok(res.text.includes(`/applications/${reference}`))
    const en = await agents.citizen.get('/account/data-use?lang=en').expect(200)
    assert.ok(en.text.includes('Read your application and your details'))
  })

  it('downloads everything behind a single-use link, audited', async () => {
    const _csrf = await csrfFrom(agents.citizen, '/account/data-use')
    const ready = await agents.citizen.post('/account/download').type('form').send({ _csrf }).expect(200)
    const link = /href="(\/account\/download\/[A-Za-z0-9_-]+)"/.exec(ready.text)![1]!
    await agents.officer.get(link).expect(404)
    const zip = await agents.citizen.get(link).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => done(null, Buffer.concat(chunks)))
    }).expect(200)
    assert.equal(zip.headers['content-type'], 'application/zip')
    const body = zip.body as Buffer
    assert.equal(body.subarray(0, 2).toString(), 'PK')
    for (const name of ['README.txt', 'profile.json', `applications/${reference}/application.json`, 'messages.json', 'sign-ins-and-account.json', 'data-use.json']) {
      assert.ok(body.includes(Buffer.from(name)), name)
    }
    await agents.citizen.get(link).expect(404)
    const audited = await portal.database.handle.db.selectFrom('audit_events').select('action').where('subject_id', '=', citizenUserId)
      .where('action', 'in', ['data.export-requested', 'data.exported']).execute()
    assert.deepEqual(audited.map((a) => a.action).sort(), ['data.export-requested', 'data.exported'])
  })
})

describe('the request log', () => {
  it('has a row for each request of the journey, and none of the ID numbers, passwords, answers, reasons or tokens', async () => {
    await portal.services.audit.requestLog.flush()
    const rows = await portal.database.handle.db.selectFrom('request_log').selectAll().orderBy('id').execute()
    const officerId = (await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', people.officer.email).executeTakeFirstOrThrow()).id
    const officerRead = rows.find((r) => r.path === `/agency/applications/${reference}`)!
    assert.equal(officerRead.user_id, officerId)
    assert.equal(officerRead.role, 'officer')
    assert.equal(officerRead.route, '/agency/applications/:ref')
    assert.equal(officerRead.ip, '198.51.100.22')
    const apiRead = rows.find((r) => r.path === `/api/v1/agency/applications/${reference}`)!
    assert.equal(apiRead.role, 'agency-system')
    assert.equal(apiRead.agency_id, 'cong-an-cap-xa')
    assert.ok(apiRead.api_key_id)
    const download = rows.find((r) => r.route === '/account/download/:token')!
    assert.equal(download.path, '/account/download/:token', 'the single-use token is not kept')
    const text = JSON.stringify(rows)
    for (const secret of [citizenIdNumber, answers.applicantCitizenId, answers.stayAddress, password, apiToken.split('_').slice(3).join('_'), 'Khiếu nại', 'dang thi hoa', people.citizen.email]) {
      assert.ok(!text.includes(secret), `the request log holds ${secret}`)
    }
  })
})
