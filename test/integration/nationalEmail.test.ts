import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import type { Agent } from 'supertest'
import { answer, start, submit } from '../support/applying.js'
import { csrfFrom, emailsTo, linkIn } from '../support/browserless.js'
import { nationalSignIn, portalWithDevProvider } from '../support/nationalSignIn.js'
import { testPublicUrl } from '../support/testApp.js'

let portal: Awaited<ReturnType<typeof portalWithDevProvider>>
before(async () => { portal = await portalWithDevProvider() })
after(async () => { await portal.close() })

async function addEmail(agent: Agent, email: string) {
  const _csrf = await csrfFrom(agent, '/account/profile')
  return agent.post('/account/email').type('form').send({ _csrf, email })
}

async function openLink(email: string) {
  const link = linkIn(emailsTo(portal.mailDir, email).at(-1)!)
  assert.ok(link.startsWith(`${testPublicUrl}/account/email/confirm?token=`), link)
  const agent = request.agent(portal.app)
  const page = await agent.get(link.slice(testPublicUrl.length)).expect(200)
  const token = /name="token" value="([^"]+)"/.exec(page.text)![1]!
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
  return agent.post('/account/email/confirm').type('form').send({ _csrf, token })
}

describe('a person who signed in nationally adds an email address', () => {
  it('is told "in your portal inbox" until an address is added and confirmed; then status emails go to it', async () => {
    const hoa = request.agent(portal.app)
    assert.equal((await nationalSignIn(hoa, 'vn-demo-0002')).status, 303)
    const { reference } = await start(hoa, 'cap-phieu-ly-lich-tu-phap')
    await answer(hoa, reference, 'nguoi-nop', { applicantName: 'Đặng Thị Hoa', applicantCitizenId: '079301004567', applicantPhone: '0987654321', applicantBirthdate: '2001-09-30', applicantGender: 'female', applicantAddress: '12 Lê Lợi, TP. Hồ Chí Minh' })
    await answer(hoa, reference, 'phieu', { certificateType: '1', copies: '1', purpose: 'Du học', delivery: 'online' })
    assert.equal((await submit(hoa, reference)).status, 303)
    const confirmation = await hoa.get(`/applications/${reference}/confirmation`).expect(200)
    assert.match(confirmation.text, /trong hộp thư trên cổng \(tài khoản chưa có email\)/)
    assert.doesNotMatch(confirmation.text, /qua email tới/)

    const bad = await addEmail(hoa, 'not an address')
    assert.equal(bad.status, 422)
    assert.match(bad.text, /href="#email"/)
    assert.equal((await addEmail(hoa, 'Hoa.Dang@Example.vn')).headers['location'], '/account/profile?emailSent=1')
    // Not the account's until the link is opened: no email goes there meanwhile.
    const user = () => portal.database.handle.db.selectFrom('users').selectAll().where('national_sub', '=', 'vn-demo-0002').executeTakeFirstOrThrow()
    assert.equal((await user()).email, null)
    const added = await openLink('hoa.dang@example.vn')
    assert.equal(added.status, 200)
    assert.match(added.text, /Đã thêm địa chỉ email/)
    assert.equal((await user()).email, 'hoa.dang@example.vn')
    assert.match((await hoa.get('/account/profile').expect(200)).text, /hoa\.dang@example\.vn/)

    await portal.dispatcher.drain()
    const mails = await portal.database.handle.db.selectFrom('mail_outbox').select(['to_address', 'subject']).execute()
    assert.ok(mails.some((m) => m.to_address === 'hoa.dang@example.vn' && m.subject.includes(reference)), JSON.stringify(mails))
  })

  it('an address another account holds is refused when its link is opened, and nothing changes', async () => {
    const chau = request.agent(portal.app)
    assert.equal((await nationalSignIn(chau, 'vn-demo-0003')).status, 303)
    assert.equal((await addEmail(chau, 'hoa.dang@example.vn')).status, 303)
    const refused = await openLink('hoa.dang@example.vn')
    assert.equal(refused.status, 409)
    assert.match(refused.text, /thuộc về một tài khoản khác/)
    const row = await portal.database.handle.db.selectFrom('users').select('email').where('national_sub', '=', 'vn-demo-0003').executeTakeFirstOrThrow()
    assert.equal(row.email, null)
  })
})
