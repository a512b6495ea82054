import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import type { Agent } from 'supertest'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { csrfFrom, sessionCookie } from '../support/browserless.js'
import { devClient, startDevIdentityProvider, type DevIdentityProvider } from '../support/identityProvider.js'
import { nationalSignIn } from '../support/nationalSignIn.js'
import { createTestPortal, testPublicUrl, type TestPortal } from '../support/testApp.js'

let idp: DevIdentityProvider
let portal: TestPortal
before(async () => {
  idp = await startDevIdentityProvider({ redirectUris: [`${testPublicUrl}/auth/national/callback`] })
  portal = await createTestPortal({ nationalId: { issuer: idp.issuer, ...devClient } })
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
})
after(async () => {
  await portal.close()
  await idp.close()
})

const db = () => portal.database.handle.db

async function signInWithPassword(index: number, ip: string): Promise<Agent> {
  const agent = request.agent(portal.app)
  const _csrf = await csrfFrom(agent, '/account/sign-in')
  await agent.post('/account/sign-in').type('form').set('X-Forwarded-For', ip)
    .send({ _csrf, email: demoAccounts[index]!.email, password: demoAccounts[index]!.password }).expect(303)
  return agent
}

async function postProfile(agent: Agent, fields: Record<string, string>, lang = 'vi') {
  const _csrf = await csrfFrom(agent, '/account/profile')
  return agent.post(`/account/profile?lang=${lang}`).type('form').send({ _csrf, fullName: 'Nguyễn Văn An', ...fields })
}

describe('profile', () => {
  it('saves what a person typed, and refuses a citizen ID that does not agree with birthdate or gender, in their language', async () => {
    const agent = await signInWithPassword(0, '198.51.100.70')
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ citizenId: '12345' }, 'vi', /Số căn cước gồm đúng 12 chữ số/],
      [{ citizenId: '003085012345' }, 'en', /not a province code/],
      [{ citizenId: '001085012345', birthdate: '1990-04-12' }, 'fr', /ne correspond pas à l’année de naissance/],
      [{ citizenId: '001085012345', birthdate: '1985-04-12', gender: 'female' }, 'en', /does not match the gender/],
      [{ birthdate: '2999-01-01' }, 'vi', /Nhập ngày sinh có thật/],
      [{ phone: '12' }, 'en', /Enter a Vietnamese phone number/],
    ]
    for (const [fields, lang, message] of cases) {
      const res = await postProfile(agent, { address: '5 Tràng Tiền', ...fields }, lang)
      assert.equal(res.status, 422, JSON.stringify(fields))
      assert.match(res.text, message)
      assert.match(res.text, /class="error-summary"/)
      assert.match(res.text, /value="5 Tràng Tiền"/, 'answers are kept')
    }
    const user = await db().selectFrom('users').selectAll().where('email', '=', demoAccounts[0]!.email).executeTakeFirstOrThrow()
    assert.equal(user.citizen_id, null, 'nothing was saved from a refused form')

    await postProfile(agent, { citizenId: '001 085 012 345', birthdate: '1985-04-12', gender: 'male', address: '5 Tràng Tiền, Hà Nội', phone: '0912 345 678' })
      .then((res) => assert.equal(res.headers['location'], '/account/profile?saved=1'))
    const saved = await db().selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow()
    assert.equal(saved.citizen_id, '001085012345')
    assert.equal(saved.phone, '0912345678')
    assert.equal(saved.verified_fields, null)
    const audit = await db().selectFrom('audit_events').select('detail').where('action', '=', 'profile.updated').where('subject_id', '=', user.id).executeTakeFirstOrThrow()
    assert.match(audit.detail!, /"citizenId"/)
  })

  it('fields vouched for by the national identity provider cannot be changed by hand', async () => {
    const agent = request.agent(portal.app)
    await nationalSignIn(agent, 'vn-demo-0002').then((r) => assert.equal(r.status, 303))
    const res = await postProfile(agent, { fullName: 'Tên Khác', citizenId: '001085012345', birthdate: '1985-04-12', address: '45 Nguyễn Huệ' })
    assert.equal(res.status, 303)
    const user = await db().selectFrom('users').selectAll().where('national_sub', '=', 'vn-demo-0002').executeTakeFirstOrThrow()
    assert.equal(user.full_name, 'Đặng Thị Hoa')
    assert.equal(user.citizen_id, '079301004567')
    assert.equal(user.birthdate, '2001-09-30')
    assert.equal(user.address, '45 Nguyễn Huệ', 'the address was the person’s to set')
  })
})

describe('business representation', () => {
  async function link(agent: Agent, code: string, lang = 'vi') {
    const _csrf = await csrfFrom(agent, '/account/businesses')
    return agent.post(`/account/businesses?lang=${lang}`).type('form').send({ _csrf, enterpriseCode: code })
  }

  it('links only the businesses the registry says the verified person represents', async () => {
    const agent = request.agent(portal.app)
    await nationalSignIn(agent, 'vn-demo-0001')
    const refusals: Array<[string, RegExp]> = [
      ['01012345', /gồm 10 chữ số/],
      ['0101234566', /chữ số kiểm tra không khớp/],
      ['0101234565-000', /gồm 10 chữ số/],
      ['0100109106', /Không tìm thấy doanh nghiệp/],
      ['0312345673', /không ghi bạn là người đại diện/],
      ['0201987650', /không còn hoạt động/],
    ]
    for (const [code, message] of refusals) {
      const res = await link(agent, code)
      assert.equal(res.status, 422, code)
      assert.match(res.text, message)
    }
    await link(agent, '0101 234 565').then((r) => assert.equal(r.status, 303))
    await link(agent, '0101234565-001').then((r) => assert.equal(r.status, 303))
    const page = await agent.get('/account/businesses').expect(200)
    assert.match(page.text, /Công ty TNHH Sen Vàng/)
    assert.match(page.text, /Chi nhánh Công ty TNHH Sen Vàng tại Hải Phòng/)
  })

  it('a person whose citizen ID is not verified cannot link a business', async () => {
    const agent = await signInWithPassword(0, '198.51.100.71')
    const res = await link(agent, '0101234565', 'en')
    assert.equal(res.status, 422)
    assert.match(res.text, /Your citizen ID is not verified/)
  })

  it('acting for a business gets a new session id, is shown on every page, and records both person and business', async () => {
    const agent = request.agent(portal.app)
    await nationalSignIn(agent, 'vn-demo-0001')
    await link(agent, '0101234565')
    const _csrf = await csrfFrom(agent, '/account/businesses')
    const before = await agent.get('/account/businesses')
    const acting = await agent.post('/account/acting-for').type('form').send({ _csrf, enterpriseCode: '0101234565' }).expect(303)
    const newCookie = sessionCookie(acting.headers['set-cookie'])
    assert.ok(newCookie && newCookie !== sessionCookie(before.headers['set-cookie']), 'new session id')
    const home = await agent.get('/').expect(200)
    assert.match(home.text, /Đang thao tác thay mặt Công ty TNHH Sen Vàng/)
    const user = await db().selectFrom('users').select('id').where('national_sub', '=', 'vn-demo-0001').executeTakeFirstOrThrow()
    const entry = await db().selectFrom('audit_events').selectAll().where('action', '=', 'business.acting-for').where('actor_id', '=', user.id).executeTakeFirstOrThrow()
    assert.equal(entry.on_behalf_of, '0101234565')

    // A business the person does not represent: 404, nothing changes.
    await agent.post('/account/acting-for').type('form').send({ _csrf: await csrfFrom(agent, '/account/businesses'), enterpriseCode: '0312345673' }).expect(404)
  })
})
