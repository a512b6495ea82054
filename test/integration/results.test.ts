// Result documents: issued on approval, downloaded by the applicant only, checked by
// anyone at /verify by the printed code or the QR's signed token (and independently
// against the published JWKS), refused when tampered with, and revoked by the agency.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose'
import request from 'supertest'
import type { Agent } from 'supertest'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { createResultSigner, generateResultKey } from '../../server/domain/results/resultKeys.js'
import { maskedName, parseVerificationCode } from '../../server/domain/results/verificationCode.js'
import { csrfFrom, signedInAgent } from '../support/browserless.js'
import { citizen, reread, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
const password = 'mật khẩu cán bộ thử nghiệm'
before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts([...demoAccounts,
    { email: 'officer.result@example.vn', fullName: 'Đỗ Minh Quyết', role: 'officer', agencyId: 'cong-an-cap-xa', password },
    { email: 'holder.result@example.vn', fullName: 'Nguyễn Thị Lan', role: 'citizen', password },
    { email: 'other.result@example.vn', fullName: 'Người Khác', role: 'citizen', password },
  ])
})
after(async () => { await portal.close() })

let address = 70
const signedIn = (email: string) => signedInAgent(portal.app, email, password, address++)
const pdfOf = (agent: Agent, path: string) => agent.get(path).buffer(true).parse((res, done) => {
  const chunks: Buffer[] = []
  res.on('data', (c: Buffer) => chunks.push(c))
  res.on('end', () => done(null, Buffer.concat(chunks)))
})

describe('a result document', () => {
  let officer: Agent
  let reference: string
  before(async () => {
    officer = await signedIn('officer.result@example.vn')
    reference = (await submitted(portal, await citizen(portal, 'holder.result@example.vn'))).reference
    await portal.dispatcher.drain()
    const _csrf = await csrfFrom(officer, `/agency/applications/${reference}`)
    await officer.post(`/agency/applications/${reference}/status`).type('form').send({ _csrf, to: 'approved', message: 'Đã duyệt.' }).expect(303)
  })

  it('is issued on approval, with a check-charactered code, and downloaded by its applicant only', async () => {
    const result = (await portal.services.results.forApplication(await reread(portal, reference)))!
    assert.ok(result, 'issued when the officer approved')
    assert.equal(parseVerificationCode(result.code.toLowerCase().replace('-', ' ')), result.code)
    assert.equal(result.holderName, 'Nguyễn Thị Lan', 'the applicant’s name as their account has it')
    assert.equal(result.issuerName, 'Đỗ Minh Quyết')
    const holder = await signedIn('holder.result@example.vn')
    const page = await holder.get(`/applications/${reference}?lang=en`).expect(200)
    assert.match(page.text, new RegExp(`Verification code ${result.code}`))
    const pdf = await pdfOf(holder, `/applications/${reference}/result.pdf`).expect(200).expect('Content-Type', 'application/pdf')
    const body = pdf.body as Buffer
    assert.equal(body.subarray(0, 5).toString(), '%PDF-')
    const { createHash } = await import('node:crypto')
    assert.equal(createHash('sha256').update(body).digest('hex'), result.pdfSha256, 'the file as issued')
    const other = await signedIn('other.result@example.vn')
    await other.get(`/applications/${reference}/result.pdf`).expect(404)
    await officer.get(`/agency/applications/${reference}/result.pdf`).expect(200)
  })

  it('is genuine by its token, which also verifies against the published keys without the portal', async () => {
    const result = (await portal.services.results.forApplication(await reread(portal, reference)))!
    const jwks = (await request(portal.app).get('/.well-known/jwks.json').expect(200).expect('Content-Type', /jwk-set\+json/)).body as JSONWebKeySet
    assert.deepEqual(jwks.keys.map((k) => k.kid), [result.keyId])
    assert.ok(jwks.keys.every((k) => !('d' in k)), 'no private part is published')
    const { payload, protectedHeader } = await compactVerify(result.token, createLocalJWKSet(jwks))
    assert.equal(protectedHeader.alg, 'EdDSA')
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, string>
    assert.equal(claims['c'], result.code)
    assert.equal(claims['r'], reference)
    assert.equal(claims['n'], maskedName('Nguyễn Thị Lan'))
    assert.equal(claims['h'], result.contentHash)

    const page = await request(portal.app).get(`/verify?t=${result.token}&lang=en`).expect(200)
    assert.match(page.text, /Genuine: issued by the portal and still valid/)
    assert.match(page.text, /N\. T\. L\*\*/)
    assert.doesNotMatch(page.text, /Nguyễn Thị Lan/, 'the holder’s name is masked')
    assert.match(page.text, /Commune police/i)
  })

  it('says a changed token, a token of another key and an unknown code are not genuine', async () => {
    const result = (await portal.services.results.forApplication(await reread(portal, reference)))!
    const [header, payload, signature] = result.token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, string>
    const changed = Buffer.from(JSON.stringify({ ...claims, n: 'X. Y. Z**' })).toString('base64url')
    const tampered = await request(portal.app).get(`/verify?t=${header}.${changed}.${signature}&lang=en`).expect(404)
    assert.match(tampered.text, /The QR code is not valid/)
    const foreign = await createResultSigner(generateResultKey()).sign(claims)
    assert.match((await request(portal.app).get(`/verify?t=${foreign}&lang=en`).expect(404)).text, /The QR code is not valid/)
    assert.match((await request(portal.app).get('/verify/ZZZZZ-ZZZZZ?lang=en').expect(404)).text, /No such document/)
    assert.match((await request(portal.app).get('/verify?code=not-a-code&lang=en').expect(404)).text, /No such document/)
  })

  it('is found by the printed code as people type it, counting each check and keeping nothing of the checker', async () => {
    const app = await reread(portal, reference)
    const before = (await portal.services.results.forApplication(app))!
    const typed = before.code.toLowerCase().replace('-', ' ').replace(/0/g, 'o')
    const page = await request(portal.app).get(`/verify?code=${encodeURIComponent(typed)}&lang=en`).set('X-Forwarded-For', '203.0.113.77').expect(200)
    assert.match(page.text, /Genuine/)
    await request(portal.app).get(`/verify/${before.code}`).set('X-Forwarded-For', '203.0.113.78').expect(200)
    const after = (await portal.services.results.forApplication(app))!
    assert.equal(after.checks, before.checks + 2)
    await portal.services.audit.requestLog.flush()
    const rows = await portal.database.handle.db.selectFrom('request_log').selectAll().where('path', 'like', '/verify%').execute()
    assert.ok(rows.length >= 2)
    for (const row of rows) {
      assert.equal(row.ip, null)
      assert.equal(row.user_agent, null)
      assert.doesNotMatch(`${row.path} ${row.query ?? ''}`, new RegExp(before.code), 'the code is not in the request log')
    }
  })

  it('is revoked by its agency with a reason, which /verify then tells', async () => {
    const page = await officer.get(`/agency/applications/${reference}`).expect(200)
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
    await officer.post(`/agency/applications/${reference}/result/revoke?lang=en`).type('form').send({ _csrf, reason: '' }).expect(422)
    await officer.post(`/agency/applications/${reference}/result/revoke`).type('form').send({ _csrf, reason: 'Cấp nhầm địa chỉ tạm trú.' }).expect(303)
    const result = (await portal.services.results.forApplication(await reread(portal, reference)))!
    const checked = await request(portal.app).get(`/verify/${result.code}?lang=en`).expect(200)
    assert.match(checked.text, /This document has been revoked/)
    assert.match(checked.text, /Cấp nhầm địa chỉ tạm trú\./)
    assert.match((await request(portal.app).get(`/verify?t=${result.token}&lang=en`).expect(200)).text, /has been revoked/)
    const audit = await portal.database.handle.db.selectFrom('audit_events').select('action').where('action', 'like', 'result.%').execute()
    assert.deepEqual(audit.map((a) => a.action).sort(), ['result.issued', 'result.revoked'])
  })
})

describe('an agency’s own signed PDF', () => {
  it('is kept as sent, wrapped by the portal’s page with the code, and its hash is on /verify', async () => {
    const owner = await citizen(portal, 'holder.result@example.vn')
    const key = (await portal.services.agencies.keys.create('cong-an-cap-xa', { name: 'một cửa', scopes: ['applications:write'], environment: 'live' },
      owner.id, { ip: '127.0.0.1', requestId: 'setup' })).token
    const app = await submitted(portal, owner)
    await portal.dispatcher.drain()
    const post = (body?: Buffer) => {
      const req = request(portal.app).post(`/api/v1/agency/applications/${app.reference}/result`).set('Authorization', `Bearer ${key}`).set('Accept-Language', 'en')
      return body ? req.set('Content-Type', 'application/pdf').send(body) : req
    }
    const signed = Buffer.from('%PDF-1.7\n% signed by the commune police’s own system\n%%EOF\n')
    const early = await post(signed).expect(409)
    assert.match(early.body.detail, /only an approved application has a result/)
    await request(portal.app).post(`/api/v1/agency/applications/${app.reference}/events`).set('Authorization', `Bearer ${key}`)
      .send({ status: 'approved' }).expect(201)
    // Approving through the API issued the portal's own document already: a PDF of the agency's is then another result.
    assert.equal((await post(signed).expect(409)).body.status, 409)

    const second = await submitted(portal, owner)
    await portal.dispatcher.drain()
    await portal.services.applications.transition(await reread(portal, second.reference), 'approved', { id: owner.id, kind: 'officer' })
    const postSecond = (body: Buffer) => request(portal.app).post(`/api/v1/agency/applications/${second.reference}/result`)
      .set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/pdf').send(body)
    await postSecond(Buffer.from('plain text')).expect(422)
    const issued = await postSecond(signed).expect(201)
    assert.equal(issued.body.source, 'agency')
    const { createHash } = await import('node:crypto')
    assert.equal(issued.body.agencyDocumentSha256, createHash('sha256').update(signed).digest('hex'))
    assert.equal((await postSecond(signed).expect(200)).body.code, issued.body.code, 'the same document again: the same result')
    await postSecond(Buffer.from('%PDF-1.7\n% another\n')).expect(409)

    const holder = await signedIn('holder.result@example.vn')
    const theirs = await pdfOf(holder, `/applications/${second.reference}/result/agency.pdf`).expect(200)
    assert.deepEqual(theirs.body, signed, 'the agency’s file, byte for byte')
    const wrapper = await pdfOf(holder, `/applications/${second.reference}/result.pdf`).expect(200)
    assert.equal(createHash('sha256').update(wrapper.body as Buffer).digest('hex'), issued.body.sha256)
    const checked = await request(portal.app).get(`/verify/${issued.body.code}?lang=en`).expect(200)
    assert.match(checked.text, /SHA-256 of the document the agency signed/)
    assert.match(checked.text, new RegExp(issued.body.agencyDocumentSha256))
    await holder.get(`/applications/${app.reference}/result/agency.pdf`).expect(404)
  })
})

describe('result keys', () => {
  it('keep a result signed before a rotation verifiable, and only with the earlier key published', async () => {
    const old = generateResultKey()
    const token = await createResultSigner(old).sign({ c: 'X' })
    const { x, kid, kty, crv } = JSON.parse(old) as Record<string, string>
    const rotated = createResultSigner(generateResultKey(), [JSON.stringify({ x, kid, kty, crv })])
    assert.deepEqual(await rotated.verify(token), { c: 'X' })
    assert.equal(rotated.jwks.keys.length, 2)
    assert.equal(await createResultSigner(generateResultKey()).verify(token), undefined)
  })
})
