// Deadlines in working days, driven through the officer's pages with the portal's clock
// set across Tết Bính Ngọ (14–22 February 2026): the due date on receipt, the clock
// stopped while information is asked for, overdue, the apology with a new date, and
// the inbox's filters and assignment.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Agent } from 'supertest'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { csrfFrom, signedInAgent, emailsTo } from '../support/browserless.js'
import { waitFor } from '../support/process.js'
import { citizen, reread, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let now = new Date('2026-02-12T03:00:00Z') // Thursday 12 February 2026, 10:00 in Hanoi
const password = 'mật khẩu cán bộ thử nghiệm'
before(async () => {
  portal = await createTestPortal({ clock: () => now })
  await portal.services.accounts.ensureDemoAccounts([...demoAccounts,
    { email: 'officer.tet@example.vn', fullName: 'Lê Văn Hạn', role: 'officer', agencyId: 'cong-an-cap-xa', password },
    { email: 'colleague.tet@example.vn', fullName: 'Phạm Thị Đồng', role: 'officer', agencyId: 'cong-an-cap-xa', password },
    { email: 'elsewhere.tet@example.vn', fullName: 'Officer Elsewhere', role: 'officer', agencyId: 'so-tu-phap', password },
  ])
})
after(async () => { await portal.close() })

let address = 40
const signedIn = (email: string) => signedInAgent(portal.app, email, password, address++)
const userId = async (email: string) => (await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id
const rowOf = (page: string, reference: string) => page.slice(page.indexOf(reference), page.indexOf('</tr>', page.indexOf(reference)))

describe('a deadline across Tết', () => {
  let officer: Agent
  let reference: string
  let applicantEmail: string
  before(async () => {
    officer = await signedIn('officer.tet@example.vn')
    applicantEmail = 'tet.applicant@example.vn'
    reference = (await submitted(portal, await citizen(portal, applicantEmail))).reference // temporary residence: 3 working days
    await portal.dispatcher.drain()
  })

  it('is due three working days after receipt, Tết not counted', async () => {
    const app = await reread(portal, reference)
    assert.equal(app.status, 'received')
    // 13/2 is one; 14–22/2 is Tết; 23/2 and 24/2 are two and three. Weekends alone would say 17/2.
    assert.equal(app.dueOn, '2026-02-24')
    const inbox = await officer.get('/agency?lang=en').expect(200)
    assert.match(rowOf(inbox.text, reference), /On track/)
    assert.match(rowOf(inbox.text, reference), /3 working days left/)
  })

  it('stops the clock while information is asked for, and adds the days it stood still', async () => {
    now = new Date('2026-02-13T02:00:00Z') // Friday 13/2, the last day before Tết
    const _csrf = await csrfFrom(officer, `/agency/applications/${reference}`)
    await officer.post(`/agency/applications/${reference}/status`).type('form').send({ _csrf, to: 'info_requested', message: 'Xin bổ sung giấy tờ nhà.' }).expect(303)
    assert.equal((await reread(portal, reference)).clockStoppedOn, '2026-02-13')
    const paused = await officer.get('/agency?due=paused&lang=en').expect(200)
    assert.match(rowOf(paused.text, reference), /Clock stopped/)
    const onTrack = await officer.get('/agency?due=onTrack&lang=en').expect(200)
    assert.doesNotMatch(onTrack.text, new RegExp(reference))
    const citizenPage = await officer.get(`/agency/applications/${reference}?lang=en`).expect(200)
    assert.match(citizenPage.text, /Clock stopped since/)

    now = new Date('2026-02-25T02:00:00Z') // Wednesday 25/2: the applicant answers
    const app = await reread(portal, reference)
    await portal.services.applications.transition(app, 'in_review', { id: app.applicantId, kind: 'citizen' }, { message: 'Đã gửi giấy tờ.' })
    const resumed = await reread(portal, reference)
    // It stood still on 23, 24 and 25/2 (Tết days are not working days): 24/2 + 3 = 27/2.
    assert.equal(resumed.clockStoppedOn, null)
    assert.equal(resumed.dueOn, '2026-02-27')
  })

  it('is overdue the working day after, asks for an apology with a new date, and tells the applicant', async () => {
    now = new Date('2026-03-02T02:00:00Z') // Monday 2/3
    const overdue = await officer.get('/agency?due=overdue&lang=en').expect(200)
    assert.match(rowOf(overdue.text, reference), /1 working day overdue/)
    const page = await officer.get(`/agency/applications/${reference}?lang=en`).expect(200)
    assert.match(page.text, /apologise and give a new date/)
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
    const saturday = await officer.post(`/agency/applications/${reference}/apology?lang=en`).type('form')
      .send({ _csrf, newDate: '2026-03-07', apology: 'Chúng tôi xin lỗi vì hồ sơ bị trễ.' }).expect(422)
    assert.match(saturday.text, /Choose a working day after today/)
    assert.match(saturday.text, /Chúng tôi xin lỗi vì hồ sơ bị trễ.<\/textarea>/, 'what was typed is kept')
    await officer.post(`/agency/applications/${reference}/apology?lang=en`).type('form').send({ _csrf, newDate: '2026-03-05', apology: '' }).expect(422)
    await officer.post(`/agency/applications/${reference}/apology`).type('form')
      .send({ _csrf, newDate: '2026-03-05', apology: 'Chúng tôi xin lỗi vì hồ sơ bị trễ; hẹn trả kết quả ngày 05/03.' }).expect(303)

    const app = await reread(portal, reference)
    assert.equal(app.dueOn, '2026-03-05')
    const events = await portal.services.applications.events(app)
    const apology = events.find((e) => e.kind === 'apology')
    assert.ok(apology, 'the apology is in the timeline')
    assert.equal(apology.newDueOn, '2026-03-05')
    const after = await officer.get(`/agency/applications/${reference}?lang=en`).expect(200)
    assert.match(after.text, /Apology for the delay, new date/)
    assert.doesNotMatch(after.text, /apologise and give a new date/, 'no longer overdue')
    const again = await officer.post(`/agency/applications/${reference}/apology?lang=en`).type('form')
      .send({ _csrf, newDate: '2026-03-06', apology: 'Lần hai.' }).expect(409)
    assert.match(again.text, /not overdue/)
    const inbox = await portal.services.applications.inbox(app.applicantId)
    assert.ok(inbox.some((m) => m.message?.includes('xin lỗi')), 'in the applicant’s inbox')
    // Emails are quoted-printable: the apology's words are checked decoded.
    const decoded = (m: string) => Buffer.from(m.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))), 'latin1').toString('utf8')
    await waitFor(() => (emailsTo(portal.mailDir, applicantEmail).some((m) => decoded(m).includes('xin lỗi vì hồ sơ bị trễ')) ? true : undefined), 5_000)
    const audit = await portal.database.handle.db.selectFrom('audit_events').select('detail').where('action', '=', 'application.apology').execute()
    assert.match(audit.map((a) => a.detail).join(), /"missed":"2026-02-27".*"newDate":"2026-03-05"/)
  })

  it('is taken or given to a colleague of the same agency only, and filtered by who has it', async () => {
    const page = await officer.get(`/agency/applications/${reference}`).expect(200)
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
    const elsewhere = await officer.post(`/agency/applications/${reference}/assign?lang=en`).type('form')
      .send({ _csrf, to: await userId('elsewhere.tet@example.vn') }).expect(422)
    assert.match(elsewhere.text, /Choose an officer of the agency/)
    await officer.post(`/agency/applications/${reference}/assign`).type('form').send({ _csrf, to: await userId('officer.tet@example.vn') }).expect(303)
    const mine = await officer.get('/agency?mine=1&lang=en').expect(200)
    assert.match(rowOf(mine.text, reference), /Lê Văn Hạn/)
    await officer.post(`/agency/applications/${reference}/assign`).type('form').send({ _csrf, to: await userId('colleague.tet@example.vn') }).expect(303)
    const notMine = await officer.get('/agency?mine=1&lang=en').expect(200)
    assert.doesNotMatch(notMine.text, new RegExp(reference))
    const colleague = await signedIn('colleague.tet@example.vn')
    assert.match(rowOf((await colleague.get('/agency?mine=1&lang=en').expect(200)).text, reference), /Phạm Thị Đồng/)
  })

  it('says decided on time when decided by the new date', async () => {
    now = new Date('2026-03-04T02:00:00Z')
    const app = await reread(portal, reference)
    await portal.services.applications.transition(app, 'approved', { id: await userId('officer.tet@example.vn'), kind: 'officer' }, { message: 'Đã duyệt.' })
    const page = await officer.get(`/agency/applications/${reference}?lang=en`).expect(200)
    assert.match(page.text, /Decided on time/)
  })
})
