import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Agent } from 'supertest'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { csrfFrom, signedInAgent } from '../support/browserless.js'
import { citizen, reread, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
const password = 'mật khẩu cán bộ thử nghiệm'
before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts([...demoAccounts, { email: 'police@example.vn', fullName: 'Võ Văn Công', role: 'officer', agencyId: 'cong-an-cap-xa', password }])
})
after(async () => { await portal.close() })

let address = 10
const signedIn = (email: string, pass: string) => signedInAgent(portal.app, email, pass, address++)

describe('the officer console', () => {
  let officer: Agent
  let reference: string
  let other: string
  before(async () => {
    officer = await signedIn('police@example.vn', password)
    const hoa = await citizen(portal, 'tran.thi.hoa@example.vn')
    await portal.database.handle.db.updateTable('users').set({ full_name: 'Trần Thị Hoà', folded_name: 'tran thi hoa' }).where('id', '=', hoa.id).execute()
    reference = (await submitted(portal, hoa)).reference
    other = (await submitted(portal, await citizen(portal, 'someone@example.vn'))).reference
    await portal.dispatcher.drain()
  })

  it('lists applicant, due date and days left, and finds by name without tone marks or by reference', async () => {
    const inbox = await officer.get('/agency?lang=en').expect(200)
    assert.match(inbox.text, /Trần Thị Hoà/)
    assert.match(inbox.text, /<th scope="col">Due<\/th>/)
    assert.match(inbox.text, /working days? left|Due today/)
    const byName = await officer.get('/agency?q=tran+thi+hoa').expect(200)
    assert.match(byName.text, new RegExp(reference))
    assert.doesNotMatch(byName.text, new RegExp(other))
    const byReference = await officer.get(`/agency?q=${encodeURIComponent(reference.toLowerCase().replace(/-/g, ' '))}`).expect(200)
    assert.match(byReference.text, new RegExp(reference))
    assert.doesNotMatch(byReference.text, new RegExp(other))
  })

  it('offers only the moves allowed from where the application is, information right at reception, and keeps a refused move', async () => {
    const page = await officer.get(`/agency/applications/${reference}?lang=en`).expect(200)
    const options = [...page.text.matchAll(/<option value="(\w+)"/g)].map((m) => m[1])
    assert.deepEqual(options, ['in_review', 'info_requested', 'approved', 'rejected'])
    assert.ok(page.text.indexOf('id="to"') > page.text.indexOf('class="summary-list answers') || page.text.indexOf('id="to"') > page.text.lastIndexOf('</dl>'), 'the decision comes after the answers')
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
    const noMessage = await officer.post(`/agency/applications/${reference}/status?lang=en`).type('form').send({ _csrf, to: 'rejected', note: 'ghi chú nội bộ đã gõ' }).expect(422)
    assert.match(noMessage.text, /ghi chú nội bộ đã gõ<\/textarea>/, 'what was typed is kept')
    assert.match(noMessage.text, /<option value="rejected" selected>/)
    await officer.post(`/agency/applications/${reference}/status`).type('form').send({ _csrf, to: 'info_requested', message: 'Xin bổ sung hợp đồng thuê nhà.' }).expect(303)
    const asked = await officer.get(`/agency/applications/${reference}`).expect(200)
    const now = [...asked.text.matchAll(/<option value="(\w+)"/g)].map((m) => m[1])
    assert.ok(!now.includes('info_requested'), 'never the current status')
    const illegal = await officer.post(`/agency/applications/${reference}/status?lang=en`).type('form').send({ _csrf, to: 'approved', message: 'đã gõ lời nhắn' }).expect(409)
    assert.match(illegal.text, /đã gõ lời nhắn<\/textarea>/)
  })

  it('shows that the citizen replied', async () => {
    const app = await reread(portal, reference)
    await portal.services.applications.transition(app, 'in_review', { id: app.applicantId, kind: 'citizen' }, { message: 'Đã gửi hợp đồng.' })
    const inbox = await officer.get('/agency?lang=en').expect(200)
    const row = inbox.text.slice(inbox.text.indexOf(reference), inbox.text.indexOf('</tr>', inbox.text.indexOf(reference)))
    assert.match(row, /Citizen replied/)
  })

  it('says "within the day" for a same-day service, never "0 working days"', async () => {
    const commune = await signedIn(demoAccounts[1]!.email, demoAccounts[1]!.password)
    const page = await commune.get('/agency').expect(200)
    assert.doesNotMatch(page.text, />0 ngày làm việc/)
    assert.match(page.text, /Trong ngày/)
  })
})

describe('the administrator’s pages', () => {
  let admin: Agent
  before(async () => { admin = await signedIn(demoAccounts[3]!.email, demoAccounts[3]!.password) })

  it('shows agencies by name, finds people without tone marks, and has no role form on their own page', async () => {
    const list = await admin.get('/admin?q=tran+thi+binh&lang=en').expect(200)
    assert.match(list.text, /Trần Thị Bình/)
    assert.match(list.text, /Commune People/)
    assert.doesNotMatch(list.text, />ubnd-cap-xa</)
    const me = await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', demoAccounts[3]!.email).executeTakeFirstOrThrow()
    const own = await admin.get(`/admin/users/${me.id}?lang=en`).expect(200)
    assert.doesNotMatch(own.text, /action="\/admin\/users\/[^"]+\/role"/)
    assert.match(own.text, /do not change their own role/)
  })

  it('says the role change was saved', async () => {
    const auditor = await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', demoAccounts[2]!.email).executeTakeFirstOrThrow()
    const _csrf = await csrfFrom(admin, `/admin/users/${auditor.id}`)
    const saved = await admin.post(`/admin/users/${auditor.id}/role`).type('form').send({ _csrf, role: 'officer', agencyId: 'so-tu-phap' }).expect(303)
    const page = await admin.get(`${saved.headers['location']!}&lang=en`).expect(200)
    assert.match(page.text, /The new role was saved/)
    assert.match(page.text, /Department of Justice/)
  })

  it('lists deliveries with the application reference and distinct headings', async () => {
    const page = await admin.get('/admin/deliveries?lang=en').expect(200)
    const log = page.text.slice(page.text.lastIndexOf('<table'))
    const headings = [...log.matchAll(/<th scope="col">([^<]+)<\/th>/g)].map((m) => m[1])
    assert.equal(new Set(headings).size, headings.length, headings.join(' | '))
    assert.ok(headings.includes('Reference'))
    assert.match(log, /HS-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/)
  })
})
