import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import type { Agent } from 'supertest'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { newReference, parseReference } from '../../server/domain/applications/reference.js'
import { createApplicationRepository } from '../../server/db/applicationRepository.js'
import { answer, start } from '../support/applying.js'
import { csrfFrom, signedInAgent, emailsTo } from '../support/browserless.js'
import { waitFor } from '../support/process.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
})
after(async () => { await portal.close() })

const db = () => portal.database.handle.db
export const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)

let ipCounter = 120
const signedIn = (email: string, pass: string) => signedInAgent(portal.app, email, pass, ipCounter++)

describe('applying online: birth registration', () => {
  let citizen: Agent
  let reference: string

  before(async () => {
    citizen = await signedIn(demoAccounts[0]!.email, demoAccounts[0]!.password)
  })

  it('starts a draft prefilled with only the profile fields the service declared, and records that read', async () => {
    const started = await start(citizen, 'dang-ky-khai-sinh')
    reference = started.reference
    assert.ok(parseReference(reference), `${reference} has a valid check character`)
    assert.equal(started.location, `/applications/${reference}/pages/nguoi-nop`)
    const page = await citizen.get(started.location).expect(200)
    assert.match(page.text, /value="Nguyễn Văn An"/, 'the name came from the profile')
    assert.match(page.text, /Điền sẵn từ tài khoản của bạn/)
    const audit = await db().selectFrom('audit_events').select('detail').where('action', '=', 'data.prefill').executeTakeFirstOrThrow()
    assert.match(audit.detail!, /"fields":\["fullName"\]/)
    // Starting again resumes the same draft.
    assert.equal((await start(citizen, 'dang-ky-khai-sinh')).reference, reference)
  })

  it('draws a new reference when the random one is already taken', async () => {
    const repo = createApplicationRepository(db(), portal.database.handle.dialect)
    const taken = (await db().selectFrom('applications').select(['applicant_id', 'service_id', 'agency_id']).where('reference', '=', reference).executeTakeFirstOrThrow())
    const fresh = newReference()
    const draws = [reference, reference, fresh]
    const draft = await repo.createDraft({
      applicantId: taken.applicant_id, serviceId: taken.service_id, serviceVersion: 1, agencyId: taken.agency_id, onBehalfOf: null, onBehalfOfName: null,
      answers: {}, currentPage: 'nguoi-nop',
    }, () => draws.shift()!)
    assert.equal(draft.reference, fresh, 'two collisions, then a free reference')
    assert.equal(draws.length, 0)
    assert.equal((await db().selectFrom('applications').select('id').where('reference', '=', reference).execute()).length, 1, 'the first application is untouched')
    await db().deleteFrom('applications').where('id', '=', draft.id).execute()
  })

  it('shows every mistake on a page in the person’s language, keeps the answers, and saves nothing wrong', async () => {
    const cases: Array<[string, RegExp[]]> = [
      ['vi', [/Hãy trả lời: số căn cước/, /Hãy trả lời: quan hệ với trẻ/]],
      ['en', [/Enter citizen ID number/, /Enter your relationship to the child/]],
      ['fr', [/Indiquez\u202f: numéro d’identité/, /Indiquez\u202f: votre lien avec l’enfant/]],
    ]
    for (const [lang, messages] of cases) {
      const res = await answer(citizen, reference, 'nguoi-nop', { applicantName: 'Nguyễn Văn An', applicantCitizenId: '', applicantPhone: '0912 345 678' }, [], lang)
      assert.equal(res.status, 422)
      for (const m of messages) assert.match(res.text, m)
      assert.match(res.text, /class="error-summary"/)
      assert.match(res.text, /href="#applicantCitizenId"/)
      assert.match(res.text, /value="0912 345 678"/, 'answers kept as typed')
    }
    const bad = await answer(citizen, reference, 'nguoi-nop', { applicantName: 'Nguyễn Văn An', applicantCitizenId: '001085012346', applicantPhone: '12', relationship: 'father' }, [], 'en')
    assert.equal(bad.status, 422)
    assert.match(bad.text, /must be a Vietnamese phone number/)
    assert.match(bad.text, /<title>Error: /, 'the page title says there is an error')
    assert.match(bad.text, /class="error-summary" role="alert" tabindex="-1" autofocus/)
    assert.match(bad.text, /Filled in from your account/, 'the name is still the profile’s')
    assert.match(bad.text, /id="applicantName" name="applicantName"[^>]*autocomplete="name"/)
    // A name the person typed is theirs, not "prefilled", after an error as after a change link.
    const typed = await answer(citizen, reference, 'nguoi-nop', { applicantName: 'Nguyễn Văn Bình', applicantCitizenId: '', relationship: 'father' }, [], 'en')
    assert.equal(typed.status, 422)
    assert.match(typed.text, /value="Nguyễn Văn Bình"/)
    assert.doesNotMatch(typed.text, /Filled in from your account/)
  })

  it('goes page by page, showing a question only when an earlier answer calls for it', async () => {
    let res = await answer(citizen, reference, 'nguoi-nop', { applicantName: 'Nguyễn Văn An', applicantCitizenId: '001085012345', applicantPhone: '0912345678', relationship: 'father' })
    assert.equal(res.headers['location'], `/applications/${reference}/pages/tre`)
    const childPage = await citizen.get(`/applications/${reference}/pages/tre`).expect(200)
    // A question depending on this page's answers is on the page, its condition in words.
    assert.match(childPage.text, /name="lateReason"/)
    assert.match(childPage.text, /Chỉ trả lời nếu “Ngày sinh của trẻ” cách đây hơn 60 ngày/)
    // Born 90 days ago: the late-registration reason becomes a question, and is required.
    res = await answer(citizen, reference, 'tre', { childName: 'Nguyễn Minh Khang', childBirthdate: daysAgo(90), childGender: 'male', birthPlace: 'Bệnh viện Phụ sản Hà Nội' })
    assert.equal(res.status, 422)
    assert.match(res.text, /href="#lateReason"/, 'born 90 days ago: the reason is required')
    res = await answer(citizen, reference, 'tre', { childName: 'Nguyễn Minh Khang', childBirthdate: daysAgo(20), childGender: 'male', birthPlace: 'Bệnh viện Phụ sản Hà Nội', lateReason: 'ignored: the birth is recent' })
    assert.equal(res.headers['location'], `/applications/${reference}/pages/cha-me`)
    res = await answer(citizen, reference, 'cha-me', { motherName: 'Trần Thị Mai', motherCitizenId: '001190004321', fatherKnown: 'no' })
    assert.equal(res.headers['location'], `/applications/${reference}/pages/giay-to`)
    const documents = await citizen.get(`/applications/${reference}/pages/giay-to`).expect(200)
    assert.match(documents.text, /enctype="multipart\/form-data"/)
    assert.doesNotMatch(documents.text, /name="marriageCertificate"/, 'no marriage certificate asked when no father is declared')
  })

  it('refuses a file whose bytes are not what its name says, and keeps a real PDF', async () => {
    const lying = await answer(citizen, reference, 'giay-to', {}, [['birthCertificate', Buffer.from('MZ\x90\x00 this is an executable, not a PDF'), 'giay-chung-sinh.pdf']], 'en')
    assert.equal(lying.status, 422)
    assert.match(lying.text, /must be a PDF, JPEG, PNG file \(checked from its content, not its name\)/)
    const renamedPng = await answer(citizen, reference, 'giay-to', {}, [['birthCertificate', png, 'scan.pdf']])
    assert.equal(renamedPng.status, 303, 'a PNG named .pdf is still a PNG, which this field accepts')
    const docs = await db().selectFrom('documents').selectAll().execute()
    assert.equal(docs.length, 1)
    assert.equal(docs[0]!.content_type, 'image/png', 'the type comes from the bytes')
    await db().deleteFrom('documents').execute()
    const ok = await answer(citizen, reference, 'giay-to', {}, [['birthCertificate', pdf, 'giấy chứng sinh.pdf']])
    assert.equal(ok.headers['location'], `/applications/${reference}/check`)
  })

  it('lists the draft under my applications and checks every answer before submitting', async () => {
    const list = await citizen.get('/applications').expect(200)
    assert.match(list.text, new RegExp(reference))
    assert.match(list.text, /Bản nháp/)
    const check = await citizen.get(`/applications/${reference}/check`).expect(200)
    assert.match(check.text, /Nguyễn Minh Khang/)
    assert.match(check.text, /giấy chứng sinh\.pdf/)
    assert.match(check.text, new RegExp(`href="/applications/${reference}/pages/tre\\?change=1#childName"`))
    assert.match(check.text, /Tôi cam đoan/)
  })

  it('submits once however often the button is pressed: application, event, outbox row and audit entry together', async () => {
    const _csrf = await csrfFrom(citizen, `/applications/${reference}/check`)
    const results = await Promise.all([1, 2, 3].map(() => citizen.post(`/applications/${reference}/submit`).type('form').send({ _csrf })))
    for (const r of results) assert.equal(r.headers['location'], `/applications/${reference}/confirmation`)
    const again = await citizen.post(`/applications/${reference}/submit`).type('form').send({ _csrf })
    assert.equal(again.headers['location'], `/applications/${reference}/confirmation`, 'back button and resubmit')
    const app = await db().selectFrom('applications').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow()
    assert.equal(app.status, 'submitted')
    assert.deepEqual(JSON.parse(app.profile!), { fullName: 'Nguyễn Văn An' }, 'only the declared profile fields travel')
    const events = await db().selectFrom('application_events').selectAll().where('application_id', '=', app.id).execute()
    assert.equal(events.length, 1)
    const outbox = await db().selectFrom('outbox').selectAll().where('application_id', '=', app.id).execute()
    assert.equal(outbox.length, 1)
    const audits = await db().selectFrom('audit_events').select('id').where('action', '=', 'application.submitted').execute()
    assert.equal(audits.length, 1)
    const confirmation = await citizen.get(`/applications/${reference}/confirmation`).expect(200)
    assert.match(confirmation.text, new RegExp(reference))
  })

  it('the dispatcher delivers it to the commune’s handler, which receives it; the applicant is told in the inbox and by email', async () => {
    await portal.dispatcher.drain()
    const app = await db().selectFrom('applications').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow()
    assert.equal(app.status, 'received')
    const deliveries = await db().selectFrom('deliveries').selectAll().where('application_id', '=', app.id).execute()
    assert.equal(deliveries.length, 1)
    assert.equal(deliveries[0]!.outcome, 'accepted')
    assert.equal(deliveries[0]!.target, 'in-process:ubnd-cap-xa')
    const page = await citizen.get(`/applications/${reference}?lang=en`).expect(200)
    assert.match(page.text, /Received by the agency/)
    assert.match(page.text, /Registered on time: no fee\./)
    const inbox = await citizen.get('/applications?lang=en').expect(200)
    assert.match(inbox.text, /Received by the agency/)
    // The email goes after the commit, without holding the dispatcher up.
    await waitFor(() => (emailsTo(portal.mailDir, demoAccounts[0]!.email).some((m) => m.includes(reference)) ? true : undefined), 5_000)
  })

  it('a visitor checks the status with the reference and the birthdate; a wrong birthdate finds nothing', async () => {
    await db().updateTable('applications').set({ applicant_birthdate: '1985-04-12' }).where('reference', '=', reference).execute()
    const visitor = request.agent(portal.app)
    const _csrf = await csrfFrom(visitor, '/status')
    const found = await visitor.post('/status?lang=en').type('form').send({ _csrf, reference: reference.toLowerCase().replace(/-/g, ' '), secret: '1985-04-12' }).expect(200)
    assert.match(found.text, /Received by the agency/)
    assert.doesNotMatch(found.text, /Nguyễn/, 'no personal data on the status page')
    await visitor.post('/status').type('form').send({ _csrf, reference, secret: '1990-01-01' }).expect(404)
    // As Vietnamese people write a date: day first.
    for (const secret of ['12/04/1985', '12-4-1985', ' 12.04.1985 ']) {
      assert.match((await visitor.post('/status?lang=en').type('form').send({ _csrf, reference, secret }).expect(200)).text, /Received by the agency/)
    }
    // A date that cannot be read is a format problem, never "not found".
    for (const secret of ['31/02/1985', '1985/04/12', '12041985']) {
      const bad = await visitor.post('/status?lang=en').type('form').send({ _csrf, reference, secret }).expect(422)
      assert.match(bad.text, /Enter the date of birth as day\/month\/year/)
      assert.doesNotMatch(bad.text, /No application matches/)
    }
  })

  it('another citizen gets 404 for the application and its document', async () => {
    const other = await signedIn(demoAccounts[0]!.email, demoAccounts[0]!.password)
    const doc = await db().selectFrom('documents').select('id').executeTakeFirstOrThrow()
    const download = await other.get(`/applications/${reference}/documents/${doc.id}`).expect(200)
    assert.equal(download.headers['content-type'], 'application/pdf')
    const _csrf = await csrfFrom(other, '/account/sign-in')
    // A different person: register one quickly through the account service.
    await portal.services.accounts.ensureDemoAccounts([{ email: 'khac@example.vn', fullName: 'Người Khác', role: 'citizen', password: 'một mật khẩu khác dài' }])
    const stranger = await signedIn('khac@example.vn', 'một mật khẩu khác dài')
    await stranger.get(`/applications/${reference}`).expect(404)
    await stranger.get(`/applications/${reference}/documents/${doc.id}`).expect(404)
    await stranger.post(`/applications/${reference}/withdraw`).type('form').send({ _csrf: await csrfFrom(stranger, '/applications') }).expect(404)
    void _csrf
  })

  it('the applicant withdraws after a confirmation page, with a reason the agency reads; then it is final (409)', async () => {
    const page = await citizen.get(`/applications/${reference}`).expect(200)
    assert.match(page.text, new RegExp(`href="/applications/${reference}/withdraw"`), 'a link to a confirmation page, not a one-click button')
    assert.doesNotMatch(page.text, new RegExp(`action="/applications/${reference}/withdraw"`))
    const _csrf = await csrfFrom(citizen, `/applications/${reference}/withdraw`)
    const inboxBefore = await db().selectFrom('notifications').select('id').execute()
    const mailsBefore = await db().selectFrom('mail_outbox').select('id').execute()
    const done = await citizen.post(`/applications/${reference}/withdraw`).type('form').send({ _csrf, reason: 'Đã đăng ký tại Ủy ban xã nơi khác.' }).expect(303)
    assert.equal(done.headers['location'], `/applications/${reference}?withdrawn=1`)
    assert.match((await citizen.get(`${done.headers['location']!}&lang=vi`).expect(200)).text, /Đã rút hồ sơ\./)
    const app = await db().selectFrom('applications').select(['id', 'status']).where('reference', '=', reference).executeTakeFirstOrThrow()
    assert.equal(app.status, 'withdrawn')
    const event = await db().selectFrom('application_events').selectAll().where('application_id', '=', app.id).where('to_status', '=', 'withdrawn').executeTakeFirstOrThrow()
    assert.equal(event.message, 'Đã đăng ký tại Ủy ban xã nơi khác.')
    const officer = await signedIn(demoAccounts[1]!.email, demoAccounts[1]!.password)
    assert.match((await officer.get(`/agency/applications/${reference}`).expect(200)).text, /Đã đăng ký tại Ủy ban xã nơi khác\./)
    // What the applicant did is not news for their own inbox or email.
    assert.equal((await db().selectFrom('notifications').select('id').execute()).length, inboxBefore.length)
    assert.equal((await db().selectFrom('mail_outbox').select('id').execute()).length, mailsBefore.length)
    await citizen.post(`/applications/${reference}/withdraw`).type('form').send({ _csrf }).expect(409)
  })

  it('a draft can be deleted, with its documents, after a confirmation page; a submitted one cannot', async () => {
    const { reference: draft } = await start(citizen, 'dang-ky-khai-sinh')
    const list = await citizen.get('/applications').expect(200)
    assert.match(list.text, new RegExp(`href="/applications/${draft}/delete"`))
    const _csrf = await csrfFrom(citizen, `/applications/${draft}/delete`)
    const done = await citizen.post(`/applications/${draft}/delete`).type('form').send({ _csrf }).expect(303)
    assert.equal(done.headers['location'], '/applications?deleted=1')
    assert.match((await citizen.get('/applications?deleted=1&lang=vi').expect(200)).text, /Đã xóa bản nháp/)
    assert.equal(await db().selectFrom('applications').select('id').where('reference', '=', draft).executeTakeFirst(), undefined)
    await citizen.get(`/applications/${draft}`).expect(404)
    assert.ok(await db().selectFrom('audit_events').select('id').where('action', '=', 'application.draft-deleted').executeTakeFirst())
    await citizen.post(`/applications/${reference}/delete`).type('form').send({ _csrf }).expect(409)
  })
})

describe('handlers with real rules', () => {
  it('a judicial record certificate needs national identity level 2: a password sign-in is refused with the reason', async () => {
    const citizen = await signedIn(demoAccounts[0]!.email, demoAccounts[0]!.password)
    await db().updateTable('users').set({ birthdate: '1985-04-12', gender: 'male', citizen_id: '001085012345', address: '5 Tràng Tiền, Hà Nội', phone: '0912345678' })
      .where('email', '=', demoAccounts[0]!.email).execute()
    const { reference } = await start(citizen, 'cap-phieu-ly-lich-tu-phap')
    let res = await answer(citizen, reference, 'nguoi-nop', { applicantName: 'Nguyễn Văn An', applicantCitizenId: '001085012345', applicantPhone: '0912345678', applicantBirthdate: '1985-04-12', applicantGender: 'male', applicantAddress: '5 Tràng Tiền' })
    assert.equal(res.headers['location'], `/applications/${reference}/pages/phieu`)
    res = await answer(citizen, reference, 'phieu', { certificateType: '1', copies: '2', purpose: 'Xin việc', delivery: 'online' })
    assert.equal(res.headers['location'], `/applications/${reference}/check`)
    const _csrf = await csrfFrom(citizen, `/applications/${reference}/check`)
    await citizen.post(`/applications/${reference}/submit`).type('form').send({ _csrf }).expect(303)
    await portal.dispatcher.drain()
    const page = await citizen.get(`/applications/${reference}?lang=en`).expect(200)
    assert.match(page.text, /Refused/)
    assert.match(page.text, /only issued to a person signed in with a level-2 national identity/)
  })

  it('an incomplete draft cannot be submitted: the check page names the step', async () => {
    const citizen = await signedIn(demoAccounts[0]!.email, demoAccounts[0]!.password)
    const { reference } = await start(citizen, 'dang-ky-tam-tru')
    const _csrf = await csrfFrom(citizen, `/applications/${reference}/check`)
    const res = await citizen.post(`/applications/${reference}/submit?lang=en`).type('form').send({ _csrf })
    assert.equal(res.status, 422)
    assert.match(res.text, /The step &#34;Where you will stay&#34; still needs answers|The step "Where you will stay" still needs answers/)
    const app = await db().selectFrom('applications').select('status').where('reference', '=', reference).executeTakeFirstOrThrow()
    assert.equal(app.status, 'draft')
  })
})

describe('the agency works the application; the applicant answers a request for information', () => {
  it('request for information → the applicant answers with text and a document → back in review → approved; other agencies get 404', async () => {
    const citizen = await signedIn(demoAccounts[0]!.email, demoAccounts[0]!.password)
    const { reference } = await start(citizen, 'dang-ky-ket-hon')
    const pages: Array<[string, Record<string, string>, Array<[string, Buffer, string]>]> = [
      ['nguoi-nop', { applicantName: 'Nguyễn Văn An', applicantCitizenId: '001085012345', applicantPhone: '0912345678', applicantBirthdate: '1985-04-12', applicantMaritalStatus: 'single' }, []],
      ['nguoi-kia', { partnerName: 'Lê Thị Hồng', partnerBirthdate: '1988-02-03', partnerCitizenId: '001188001234', partnerSameCommune: 'no' }, [['partnerMaritalProof', pdf, 'xac-nhan.pdf']]],
      ['dang-ky', { ceremonyDate: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10) }, []],
    ]
    for (const [page, fields, files] of pages) {
      const res = await answer(citizen, reference, page, fields, files)
      assert.equal(res.status, 303, `${page}: ${res.status}`)
    }
    const _csrf = await csrfFrom(citizen, `/applications/${reference}/check`)
    await citizen.post(`/applications/${reference}/submit`).type('form').send({ _csrf }).expect(303)
    await portal.dispatcher.drain()

    // The commune's officer (demo) works it; an officer of another agency cannot see it.
    const officer = await signedIn(demoAccounts[1]!.email, demoAccounts[1]!.password)
    const inbox = await officer.get('/agency').expect(200)
    assert.match(inbox.text, new RegExp(reference))
    const other = await signedIn(demoAccounts[1]!.email, demoAccounts[1]!.password)
    await db().updateTable('users').set({ agency_id: 'so-tu-phap' }).where('email', '=', demoAccounts[1]!.email).execute()
    await other.get(`/agency/applications/${reference}`).expect(404)
    await db().updateTable('users').set({ agency_id: 'ubnd-cap-xa' }).where('email', '=', demoAccounts[1]!.email).execute()

    const page = await officer.get(`/agency/applications/${reference}`).expect(200)
    assert.match(page.text, /Lê Thị Hồng/)
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
    const noMessage = await officer.post(`/agency/applications/${reference}/status?lang=en`).type('form').send({ _csrf: token, to: 'info_requested' })
    assert.equal(noMessage.status, 422)
    assert.match(noMessage.text, /Write a message to the applicant/)
    await officer.post(`/agency/applications/${reference}/status`).type('form').send({ _csrf: token, to: 'in_review' }).expect(303)
    await officer.post(`/agency/applications/${reference}/status`).type('form')
      .send({ _csrf: token, to: 'info_requested', message: 'Xin bổ sung bản sao sổ hộ khẩu của người kia.', note: 'thiếu giấy tờ' }).expect(303)

    // The applicant sees the agency's question at the top (not the internal note), and answers it.
    const waiting = await citizen.get(`/applications/${reference}`).expect(200)
    const question = waiting.text.indexOf('class="agency-message">Xin bổ sung bản sao sổ hộ khẩu')
    assert.ok(question > 0 && question < waiting.text.indexOf('<ol class="timeline">'), 'the question comes before the timeline')
    assert.doesNotMatch(waiting.text, /thiếu giấy tờ/)
    const asked = await db().selectFrom('mail_outbox').select('body').orderBy('created_at', 'desc').executeTakeFirstOrThrow()
    const body = asked.body.replace(/=\r?\n/g, '')
    assert.match(body, /Đăng ký kết hôn/, 'the email names the service')
    assert.match(body, /Xin bổ sung bản sao sổ hộ khẩu của người kia\./, 'and carries the agency’s message')
    const told = async () => ({
      inbox: (await db().selectFrom('notifications').select('id').execute()).length,
      mails: (await db().selectFrom('mail_outbox').select('id').execute()).length,
    })
    const beforeReply = await told()
    const c2 = /name="_csrf" value="([^"]+)"/.exec(waiting.text)![1]!
    const empty = await citizen.post(`/applications/${reference}/respond`).field('_csrf', c2).field('response', '')
    assert.equal(empty.status, 422)
    const lying = await citizen.post(`/applications/${reference}/respond`).field('_csrf', c2).field('response', 'Gửi kèm').attach('files', Buffer.from('not a pdf at all'), 'so-ho-khau.pdf')
    assert.equal(lying.status, 422)
    const kept = await citizen.post(`/applications/${reference}/respond`).field('_csrf', c2).field('response', 'Đây là câu trả lời đã gõ').attach('files', Buffer.from('not a pdf either'), 'x.pdf')
    assert.match(kept.text, />Đây là câu trả lời đã gõ<\/textarea>/, 'a refused reply keeps what was typed')
    await citizen.post(`/applications/${reference}/respond`).field('_csrf', c2).field('response', 'Đã gửi kèm bản sao.').attach('files', pdf, 'so-ho-khau.pdf').expect(303)
    assert.deepEqual(await told(), beforeReply, 'the reply is not told back to the applicant as a status change')
    const replied = await citizen.get(`/applications/${reference}`).expect(200)
    assert.match(replied.text, /Bạn đã bổ sung thông tin<\/strong>/)
    const app = await db().selectFrom('applications').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow()
    assert.equal(app.status, 'in_review')
    const docs = await db().selectFrom('documents').select('filename').where('application_id', '=', app.id).execute()
    assert.ok(docs.some((d) => d.filename === 'so-ho-khau.pdf'))

    // Illegal moves are refused with 409; the officer approves.
    await officer.post(`/agency/applications/${reference}/status`).type('form').send({ _csrf: token, to: 'approved' }).expect(303)
    await officer.post(`/agency/applications/${reference}/status`).type('form').send({ _csrf: token, to: 'in_review' }).expect(409)
    const events = await db().selectFrom('application_events').select('to_status').where('application_id', '=', app.id).orderBy('id').execute()
    assert.deepEqual(events.map((e) => e.to_status), ['submitted', 'received', 'in_review', 'info_requested', 'in_review', 'approved'])

    // The applicant sees every read of their data by the agency.
    const history = await citizen.get('/account?lang=en').expect(200)
    assert.match(history.text, /The agency handling your application read it/)
    const notices = await db().selectFrom('notifications').select('status').where('application_id', '=', app.id).execute()
    assert.deepEqual(notices.map((n) => n.status).sort(), ['approved', 'in_review', 'info_requested', 'received'], 'one inbox message per change the agency made')
  })
})

describe('status check by visitors', () => {
  it('is rate limited per address, so references cannot be guessed', async () => {
    const visitor = request.agent(portal.app)
    const _csrf = await csrfFrom(visitor, '/status')
    let last = 0
    for (let i = 0; i < 21; i++) {
      last = (await visitor.post('/status').set('X-Forwarded-For', '203.0.113.9').type('form').send({ _csrf, reference: 'HS-2611-0000-0000', secret: '1990-01-01' })).status
    }
    assert.equal(last, 429)
  })

  it('is rate limited per reference too, whatever the address', async () => {
    const reference = newReference()
    const attempts: number[] = []
    for (let i = 0; i < 11; i++) {
      const visitor = request.agent(portal.app)
      const _csrf = await csrfFrom(visitor, '/status')
      attempts.push((await visitor.post('/status').set('X-Forwarded-For', `203.0.113.${100 + i}`).type('form').send({ _csrf, reference, secret: `0${1 + (i % 9)}/01/1990` })).status)
    }
    assert.deepEqual(attempts.slice(0, 10), Array(10).fill(404))
    assert.equal(attempts[10], 429)
  })
})
