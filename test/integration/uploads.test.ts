import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import type { Agent } from 'supertest'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { answer, start, submit } from '../support/applying.js'
import { csrfFrom } from '../support/browserless.js'
import { temporaryResidenceAnswers } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let server: http.Server
before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts([...demoAccounts, { email: 'stranger@example.vn', fullName: 'Người Lạ', role: 'citizen', password: 'mật khẩu người lạ dài' }])
  server = portal.app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
})
after(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await portal.close()
})

const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(Math.max(0, size - 9), 0x20)])
const incoming = () => { try { return readdirSync(portal.services.applications.uploadsDir) } catch { return [] } }
const documentsOf = (reference: string) => portal.database.handle.db.selectFrom('documents').innerJoin('applications', 'applications.id', 'documents.application_id')
  .select(['documents.field_id', 'documents.size']).where('applications.reference', '=', reference).execute()
  .then((rows) => rows.map((r) => ({ field_id: r.field_id, size: Number(r.size) })))

let address = 40
async function signedIn(email: string, password: string): Promise<{ agent: Agent, cookie: string }> {
  const agent = request.agent(portal.app)
  const _csrf = await csrfFrom(agent, '/account/sign-in')
  const res = await agent.post('/account/sign-in').set('X-Forwarded-For', `198.51.100.${address++}`).type('form').send({ _csrf, email, password }).expect(303)
  const cookie = (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ')
  return { agent, cookie }
}

describe('uploads', () => {
  let owner: Agent
  let reference: string
  const { applicantName, applicantCitizenId, applicantPhone, ...stay } = temporaryResidenceAnswers()
  before(async () => {
    owner = (await signedIn(demoAccounts[0]!.email, demoAccounts[0]!.password)).agent
    reference = (await start(owner, 'dang-ky-tam-tru')).reference
    await answer(owner, reference, 'nguoi-nop', { applicantName, applicantCitizenId, applicantPhone })
  })

  it('answers another person’s upload before reading its body: 404 while the 50 MB are still to come', { timeout: 10_000 }, async () => {
    const { cookie } = await signedIn('stranger@example.vn', 'mật khẩu người lạ dài')
    const { port } = server.address() as AddressInfo
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: `/applications/${reference}/pages/noi-o`,
      headers: { cookie, 'content-type': 'multipart/form-data; boundary=XyZ', 'content-length': String(50 * 1024 * 1024) },
    })
    req.on('error', () => {})
    req.write('--XyZ\r\nContent-Disposition: form-data; name="housingProof"; filename="hop-dong.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n')
    const res = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve))
    assert.equal(res.statusCode, 404)
    req.destroy()
    assert.deepEqual(incoming(), [])
  })

  it('stores a file only for a question on that page whose condition holds', async () => {
    // Not a question of this page: skipped unread.
    const elsewhere = await answer(owner, reference, 'nguoi-nop', { applicantName, applicantCitizenId, applicantPhone }, [['housingProof', pdf(2_000), 'hop-dong.pdf']])
    assert.equal(elsewhere.status, 303)
    // On the page, but the home is the applicant's own: no proof is asked for, none is kept.
    const owned = await answer(owner, reference, 'noi-o', { ...stay, housing: 'owner' }, [['housingProof', pdf(2_000), 'hop-dong.pdf']])
    assert.equal(owned.status, 303)
    assert.deepEqual(await documentsOf(reference), [])
    const rented = await answer(owner, reference, 'noi-o', { ...stay, housing: 'rented' }, [['housingProof', pdf(3_000), 'hop-dong.pdf']])
    assert.equal(rented.status, 303)
    assert.deepEqual(await documentsOf(reference), [{ field_id: 'housingProof', size: 3_000 }])
    assert.deepEqual(incoming(), [], 'no temporary file is left behind')
  })

  it('refuses a file over its question’s own limit, naming it, and keeps nothing of it', async () => {
    const big = await answer(owner, reference, 'noi-o', { ...stay, housing: 'rented' }, [['housingProof', pdf(6 * 1024 * 1024), 'lon.pdf']], 'en')
    assert.equal(big.status, 422)
    assert.match(big.text, /5 MB/)
    assert.equal((await documentsOf(reference)).length, 1)
    assert.deepEqual(incoming(), [])
  })

  it('refuses a multipart post without its CSRF token, with a forged one or another session\'s, and keeps nothing of it', async () => {
    const before = await documentsOf(reference)
    const answersBefore = (await portal.database.handle.db.selectFrom('applications').select('answers').where('reference', '=', reference).executeTakeFirstOrThrow()).answers
    const stranger = (await signedIn('stranger@example.vn', 'mật khẩu người lạ dài')).agent
    const theirs = await csrfFrom(stranger, '/account/profile')
    for (const [what, token] of [['no token', undefined], ['a forged token', 'forged-token-forged-token-forged-token'], ['another session\'s token', theirs]] as const) {
      let req = owner.post(`/applications/${reference}/pages/noi-o?lang=en`)
      if (token) req = req.field('_csrf', token)
      for (const [name, value] of Object.entries({ ...stay, housing: 'rented', stayMonths: '24' })) req = req.field(name, value)
      const res = await req.attach('housingProof', pdf(2_000), 'gia-mao.pdf')
      assert.equal(res.status, 403, what)
      assert.match(res.text, /The form has expired or was not sent from this site/, what)
    }
    assert.deepEqual(await documentsOf(reference), before, 'no document was added')
    const answersAfter = (await portal.database.handle.db.selectFrom('applications').select('answers').where('reference', '=', reference).executeTakeFirstOrThrow()).answers
    assert.equal(answersAfter, answersBefore, 'no answer was saved')
    assert.deepEqual(incoming(), [], 'no temporary file is left behind')
    // Anywhere but an upload route a multipart body has no readable token: refused before the route.
    const elsewhere = await owner.post('/account/profile').field('_csrf', await csrfFrom(owner, '/account/profile')).field('phone', '0900000000')
    assert.equal(elsewhere.status, 403)
  })

  it('documents of a question that no longer applies never reach the agency', async () => {
    assert.equal((await answer(owner, reference, 'noi-o', { ...stay, housing: 'owner' })).status, 303)
    assert.equal((await submit(owner, reference)).status, 303)
    assert.deepEqual(await documentsOf(reference), [])
  })
})
