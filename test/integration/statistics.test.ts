// The open statistics computed from a small history made through the portal's own use
// cases, with its clock in March 2026, and compared with figures counted by hand: the
// waits for the applicant left out of the processing time, an apology never on time,
// counts from 1 to 4 suppressed. Then the satisfaction question, asked once, its comment
// for the agency only.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import type { Application } from '../../server/domain/applications/model.js'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { csrfFrom, signedInAgent } from '../support/browserless.js'
import { citizen, reread, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let now = new Date('2026-03-02T03:00:00Z') // Monday 2 March 2026, 10:00 in Hanoi
const at = (day: string) => { now = new Date(`${day}T03:00:00Z`) }
const password = 'mật khẩu thử nghiệm dài'
const officerPassword = 'mật khẩu cán bộ thống kê'
let officerId: string
const quick: Application[] = []
let rater: Application

const move = async (app: Application, to: Application['status'], kind: 'officer' | 'citizen' = 'officer') => {
  const fresh = await reread(portal, app.reference)
  await portal.services.applications.transition(fresh, to, { id: kind === 'officer' ? officerId : fresh.applicantId, kind }, { message: kind === 'citizen' ? 'Đã gửi.' : null })
}

before(async () => {
  portal = await createTestPortal({ clock: () => now })
  await portal.services.accounts.ensureDemoAccounts([...demoAccounts,
    { email: 'officer.stats@example.vn', fullName: 'Lê Thống Kê', role: 'officer', agencyId: 'cong-an-cap-xa', password: officerPassword },
    { email: 'officer.other@example.vn', fullName: 'Officer Elsewhere', role: 'officer', agencyId: 'so-tu-phap', password: officerPassword },
  ])
  officerId = (await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', 'officer.stats@example.vn').executeTakeFirstOrThrow()).id
  const person = await citizen(portal, 'many.applications@example.vn')
  const raterPerson = await citizen(portal, 'rater@example.vn')

  // Monday 2/3: 21 applications submitted and received (temporary residence: 3 working days, due Thursday 5/3); one more only started.
  rater = await submitted(portal, raterPerson)
  quick.push(rater)
  for (let i = 0; i < 5; i++) quick.push(await submitted(portal, person))
  // One after another: a person's next start of the same service would resume an unsubmitted draft.
  const several = async (n: number) => {
    const made: Application[] = []
    for (let i = 0; i < n; i++) made.push(await submitted(portal, person))
    return made
  }
  const waited = await several(5)
  const late = await several(5)
  const withdrawn = await several(2)
  await several(3)
  await portal.services.applications.start(person, 'dang-ky-tam-tru', undefined, { ip: '127.0.0.1', requestId: 'test' })
  await portal.dispatcher.drain()

  at('2026-03-03') // Tuesday: information asked of 5
  for (const app of waited) await move(app, 'info_requested')
  at('2026-03-04') // Wednesday: 6 approved in 2 working days, 5 of them with an electronic result; 2 withdrawn
  for (const app of quick) await move(app, 'approved')
  for (const app of quick.slice(0, 5)) await portal.services.results.issue(await reread(portal, app.reference), { id: officerId, name: 'Lê Thống Kê' })
  for (const app of withdrawn) await move(app, 'withdrawn', 'citizen')
  at('2026-03-06') // Friday: 5 overdue, apologised for with a new date
  for (const app of late) {
    const result = await portal.services.applications.apologize(await reread(portal, app.reference), officerId, { newDate: '2026-03-10', message: 'Xin lỗi.' }, { ip: '127.0.0.1', requestId: 'test' })
    assert.equal(result, 'done')
  }
  at('2026-03-09') // Monday: the 5 asked reply; the clock stood still 4 working days (4, 5, 6, 9/3)
  for (const app of waited) await move(app, 'in_review', 'citizen')
  at('2026-03-10') // Tuesday: the 5 who waited approved (6 working days since receipt, 2 without the wait); the 5 late refused, on their new date
  for (const app of waited) await move(app, 'approved')
  for (const app of late) await move(app, 'rejected')
  at('2026-03-12') // Thursday: the figures; 3 applications still open, all past 5/3
  await portal.services.statistics.refresh()
})
after(async () => { await portal.close() })

describe('open statistics from a known history', () => {
  it('counts what happened, by hand', async () => {
    const res = await request(portal.app).get('/api/v1/statistics/services/dang-ky-tam-tru').expect(200)
    const total = res.body.total
    assert.equal(total.received, 21)
    assert.equal(total.decided, 16)
    assert.equal(total.approved, 11)
    assert.equal(total.rejected, 5)
    // 22 started, 21 submitted
    assert.deepEqual(total.completion, { numerator: 21, denominator: 22, rate: 0.955 })
    // 11 in 2 working days (the 5 waits excluded: 6 with them), 5 in 6: the 8th of 16 is 2, the 15th is 6.
    assert.deepEqual(total.processingDays, { p50: 2, p90: 6, decisions: 16 })
    // The 5 refused on their apology's new date were late, whatever the new date.
    assert.deepEqual(total.onTime, { numerator: 11, denominator: 16, rate: 0.688 })
    assert.deepEqual(total.electronicResults, { numerator: 5, denominator: 11, rate: 0.455 })
    // Counts from 1 to 4 are not published: 2 withdrawn, 3 open, 3 overdue.
    assert.equal(total.withdrawn, null)
    assert.equal(res.body.open, null)
    assert.equal(res.body.overdue, null)
    assert.equal(res.body.suppressedBelow, 5)
    // Every figure is in March; the 11 months before are empty.
    const months = res.body.months as Array<{ month: string, received: number }>
    assert.equal(months.length, 12)
    assert.equal(months.at(-1)!.month, '2026-03')
    assert.equal(months[0]!.month, '2025-04')
    assert.equal(months.at(-1)!.received, 21)
    assert.ok(months.slice(0, 11).every((m) => m.received === 0))
    // The index: on time 11 of 16; the open application not overdue: 0 of 3, both suppressed.
    type Published = { id: string, numerator: number | null, denominator: number | null, rate: number | null }
    const index = new Map((res.body.index as Published[]).map((i) => [i.id, i]))
    assert.deepEqual(index.get('decidedOnTime'), { id: 'decidedOnTime', group: 'progress', numerator: 11, denominator: 16, rate: 0.688 })
    assert.deepEqual(index.get('openNotOverdue'), { id: 'openNotOverdue', group: 'progress', numerator: 0, denominator: null, rate: null })
    assert.ok((res.body.notMeasured as Array<{ id: string }>).some((u) => u.id === 'counterApplications'))
    // The estimate from the last 6 months' decisions.
    assert.deepEqual(res.body.estimate, { decisions: 16, minimumDecisions: 10, p50: 2, p90: 6 })
  })

  it('publishes the agency and the portal, and 404s what is not in the catalogue', async () => {
    const agency = await request(portal.app).get('/api/v1/statistics/agencies/cong-an-cap-xa').expect(200)
    assert.equal(agency.body.total.decided, 16)
    const all = await request(portal.app).get('/api/v1/statistics').expect(200)
    assert.equal(all.body.total.received, 21)
    assert.ok((all.body.agencies as Array<{ id: string }>).some((a) => a.id === 'cong-an-cap-xa'))
    const missing = await request(portal.app).get('/api/v1/statistics/agencies/no-such-agency').expect(404)
    assert.match(missing.headers['content-type']!, /application\/problem\+json/)
    await request(portal.app).get('/statistics/services/no-such-service').expect(404)
  })

  it('gives the same figures as CSV, suppressed cells empty', async () => {
    const res = await request(portal.app).get('/statistics.csv').expect(200).expect('content-type', /text\/csv/)
    const lines = res.text.replace(/^\uFEFF/, '').trim().split('\r\n')
    const header = lines[0]!.split(',')
    const row = lines.find((l) => l.startsWith('service,dang-ky-tam-tru,2026-03,'))!.split(',')
    const cell = (name: string) => row[header.indexOf(name)]
    assert.equal(cell('received'), '21')
    assert.equal(cell('withdrawn'), '')
    assert.equal(cell('processing_days_p50'), '2')
    assert.equal(cell('processing_days_p90'), '6')
    assert.equal(cell('on_time_rate'), '0.688')
    assert.ok(lines.some((l) => l.startsWith('portal,,total,21,')))
  })

  it('shows the figures on pages in three languages, charts with their numbers beside them', async () => {
    const vi = await request(portal.app).get('/statistics/services/dang-ky-tam-tru').expect(200)
    assert.match(vi.text, /<svg class="chart-svg"[^>]*role="img"[^>]*aria-labelledby="chart-volume-title chart-volume-desc"/)
    assert.match(vi.text, /<title id="chart-volume-title">Hồ sơ nộp và đã giải quyết theo tháng<\/title>/)
    assert.match(vi.text, /một nửa số hồ sơ được giải quyết trong vòng 2 ngày làm việc, 9\/10 trong vòng 6 ngày làm việc \(16 quyết định\)/)
    const en = await request(portal.app).get('/statistics/agencies/cong-an-cap-xa?lang=en').expect(200)
    assert.match(en.text, /half within 2 working days, 9 in 10 within 6 working days \(16 decisions\)/)
    assert.match(en.text, /Decided on time<\/dt><dd>68\.8% \(11 of 16\)/)
    assert.match(en.text, /Withdrawn<\/dt><dd>fewer than 5/)
    const fr = await request(portal.app).get('/statistics?lang=fr').expect(200)
    assert.match(fr.text, /Statistiques ouvertes/)
    assert.match(fr.text, /<th scope="row">mars 2026 \(en cours\)<\/th><td data-label="Dossiers reçus">21<\/td>/)
    const service = await request(portal.app).get('/services/dang-ky-tam-tru?lang=en').expect(200)
    assert.match(service.text, /Over the last 6 months, half the applications were decided within 2 working days, and 9 in 10 within 6 working days \(16 decisions\)/)
    assert.match(service.text, /not a promise; the statutory time is 3 working days/)
    const other = await request(portal.app).get('/services/dang-ky-khai-sinh?lang=en').expect(200)
    assert.match(other.text, /Too few decisions over the last 6 months to tell \(at least 10 are needed\)/)
  })
})

describe('how satisfied the applicant is', () => {
  it('is asked once after the decision; a bad score is refused by name, the answer kept; the comment goes to the agency alone', async () => {
    const applicant = await signedInAgent(portal.app, 'rater@example.vn', password, 61)
    const page = await applicant.get(`/applications/${rater.reference}?lang=en`).expect(200)
    assert.match(page.text, /How satisfied are you with how this application was handled\?/)
    let _csrf = await csrfFrom(applicant, `/applications/${rater.reference}`)
    const bad = await applicant.post(`/applications/${rater.reference}/satisfaction?lang=en`).type('form').send({ _csrf, score: '9', comment: 'Nhanh.' }).expect(422)
    assert.match(bad.text, /<a href="#score">Your rating must be from 1 to 5<\/a>/)
    assert.match(bad.text, />Nhanh\.<\/textarea>/)

    // Someone else cannot answer for this application.
    const stranger = await signedInAgent(portal.app, 'many.applications@example.vn', password, 62)
    const strangerCsrf = await csrfFrom(stranger, '/applications')
    await stranger.post(`/applications/${rater.reference}/satisfaction`).type('form').send({ _csrf: strangerCsrf, score: '1' }).expect(404)

    _csrf = await csrfFrom(applicant, `/applications/${rater.reference}`)
    await applicant.post(`/applications/${rater.reference}/satisfaction`).type('form').send({ _csrf, score: '5', comment: 'Cán bộ hướng dẫn rất tận tình.' }).expect(303)
    const after = await applicant.get(`/applications/${rater.reference}?rated=thanks&lang=en`).expect(200)
    assert.match(after.text, /Thank you for your answer/)
    const again = await applicant.get(`/applications/${rater.reference}?lang=en`).expect(200)
    assert.doesNotMatch(again.text, /How satisfied are you/)
    // A second answer changes nothing.
    _csrf = await csrfFrom(applicant, `/applications/${rater.reference}`)
    await applicant.post(`/applications/${rater.reference}/satisfaction`).type('form').send({ _csrf, score: '1' }).expect(303)
    const rows = await portal.database.handle.db.selectFrom('satisfaction').selectAll().execute()
    assert.equal(rows.length, 1)
    assert.equal(Number(rows[0]!.score), 5)

    const officer = await signedInAgent(portal.app, 'officer.stats@example.vn', officerPassword, 63)
    const comments = await officer.get('/agency/satisfaction?lang=en').expect(200)
    assert.match(comments.text, /Cán bộ hướng dẫn rất tận tình\./)
    assert.match(comments.text, /5 – Very satisfied/)
    const elsewhere = await signedInAgent(portal.app, 'officer.other@example.vn', officerPassword, 64)
    const theirs = await elsewhere.get('/agency/satisfaction?lang=en').expect(200)
    assert.doesNotMatch(theirs.text, /tận tình/)

    // The applicant's own answer is in "everything about me".
    const ctx = { ip: '127.0.0.1', requestId: 'test' }
    const token = await portal.services.audit.personalData.requestArchive(rater.applicantId, ctx)
    const files = await portal.services.audit.personalData.openArchive(rater.applicantId, token, ctx)
    const mine = files!.find((f) => f.name === `applications/${rater.reference}/application.json`) as { json: { satisfaction: unknown } }
    assert.deepEqual(mine.json.satisfaction, { score: 5, comment: 'Cán bộ hướng dẫn rất tận tình.', answeredAt: '2026-03-12T03:00:00.000Z' })

    await portal.services.statistics.refresh()
    const published = await request(portal.app).get('/api/v1/statistics/services/dang-ky-tam-tru').expect(200)
    assert.doesNotMatch(JSON.stringify(published.body), /tận tình/)
    // One answer: published as "fewer than 5", no average.
    assert.deepEqual(published.body.total.satisfaction, { answers: null, average: null, satisfied: { numerator: null, denominator: null, rate: null } })
  })

  it('counts five answers, declines left out, and averages them', async () => {
    const scores = [4, 4, 3, 1]
    for (const [i, app] of quick.slice(1).entries()) {
      assert.equal(await portal.services.statistics.rate(await reread(portal, app.reference), { score: scores[i] ?? null, comment: null }), 'done')
    }
    const declined = await portal.services.statistics.rate(await reread(portal, quick[5]!.reference), { score: null, comment: null })
    assert.equal(declined, 'already') // quick[5] was the fifth above, the one with no score
    await portal.services.statistics.refresh()
    const res = await request(portal.app).get('/api/v1/statistics/services/dang-ky-tam-tru').expect(200)
    // Scores 5, 4, 4, 3, 1 (the sixth declined): 5 answers, average 3.4, 3 satisfied (suppressed, so the rate too).
    assert.deepEqual(res.body.total.satisfaction, { answers: 5, average: 3.4, satisfied: { numerator: null, denominator: 5, rate: null } })
  })
})
