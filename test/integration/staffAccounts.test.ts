import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { AccountRefused } from '../../server/domain/identity/accountService.js'
import { demoAccounts, demoPassword } from '../../server/domain/identity/demoAccounts.js'
import { emailTexts } from '../../server/i18n/emailTexts.js'
import { translator } from '../../server/i18n/messages.js'
import { csrfFrom, emailsTo, linkIn } from '../support/browserless.js'
import { createTestPortal, testPublicUrl, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => { portal = await createTestPortal() })
after(async () => { await portal.close() })

const texts = emailTexts(translator('vi'))

async function signIn(email: string, password: string) {
  const agent = request.agent(portal.app)
  const _csrf = await csrfFrom(agent, '/account/sign-in')
  const res = await agent.post('/account/sign-in').type('form').send({ _csrf, email, password })
  return { agent, res }
}

describe('staff accounts', () => {
  it('an officer of one agency is created without a password and sets one through the emailed link', async () => {
    const user = await portal.services.accounts.createAccount({ email: 'Officer@Xa.gov.vn', fullName: 'Cán bộ Một', role: 'officer', agencyId: 'ubnd-cap-xa' }, texts, 'cli')
    assert.equal(user.role, 'officer')
    assert.equal(user.agencyId, 'ubnd-cap-xa')
    assert.equal(user.passwordHash, null)
    const link = linkIn(emailsTo(portal.mailDir, 'officer@xa.gov.vn').at(-1)!)
    const agent = request.agent(portal.app)
    const page = await agent.get(link.slice(testPublicUrl.length)).expect(200)
    const token = /name="token" value="([^"]+)"/.exec(page.text)![1]!
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
    await agent.post('/account/reset/confirm').type('form').send({ _csrf, token, password: 'mật khẩu của cán bộ xã' }).expect(200)
    const { res } = await signIn('officer@xa.gov.vn', 'mật khẩu của cán bộ xã')
    assert.equal(res.status, 303)
    const actions = (await portal.database.handle.db.selectFrom('audit_events').select(['action', 'actor_id']).where('subject_id', '=', user.id).execute())
    assert.ok(actions.some((a) => a.action === 'role.assigned' && a.actor_id === 'cli'))
  })

  const refusals: Array<[string, Parameters<TestPortal['services']['accounts']['createAccount']>[0], RegExp]> = [
    ['an officer without an agency', { email: 'a1@x.vn', fullName: 'A', role: 'officer' }, /needs --agency/],
    ['an agency administrator without an agency', { email: 'a5@x.vn', fullName: 'A', role: 'agency_admin' }, /agency_admin needs --agency/],
    ['an unknown agency', { email: 'a2@x.vn', fullName: 'A', role: 'officer', agencyId: 'khong-co' }, /no agency "khong-co"/],
    ['an unknown role', { email: 'a3@x.vn', fullName: 'A', role: 'superuser' as never }, /unknown role "superuser"/],
    ['an agency for a non-officer', { email: 'a4@x.vn', fullName: 'A', role: 'auditor', agencyId: 'ubnd-cap-xa' }, /only an officer or agency administrator/],
  ]
  for (const [what, input, message] of refusals) {
    it(`refuses ${what}`, async () => {
      await assert.rejects(portal.services.accounts.createAccount(input, texts, 'cli'), (e: unknown) => e instanceof AccountRefused && message.test(e.message))
    })
  }

  it('refuses an address that already has an account', async () => {
    await portal.services.accounts.createAccount({ email: 'dup@x.vn', fullName: 'A', role: 'auditor' }, texts, 'cli')
    await assert.rejects(portal.services.accounts.createAccount({ email: 'DUP@x.vn', fullName: 'B', role: 'admin' }, texts, 'cli'), /already has an account/)
  })
})

describe('demo accounts (outside production)', () => {
  it('one per role, created once, each able to sign in with the README password', async () => {
    assert.equal(await portal.services.accounts.ensureDemoAccounts(demoAccounts), 5)
    assert.equal(await portal.services.accounts.ensureDemoAccounts(demoAccounts), 0)
    for (const account of demoAccounts) {
      const { agent, res } = await signIn(account.email, demoPassword)
      assert.equal(res.status, 303, account.email)
      const page = await agent.get('/account').expect(200)
      assert.match(page.text, new RegExp(account.fullName))
    }
    const roles = await portal.database.handle.db.selectFrom('users').select(['role', 'agency_id']).where('email', 'like', '%@demo.dichvucong.invalid').orderBy('role').execute()
    assert.deepEqual(roles, [
      { role: 'admin', agency_id: null }, { role: 'agency_admin', agency_id: 'ubnd-cap-xa' }, { role: 'auditor', agency_id: null },
      { role: 'citizen', agency_id: null }, { role: 'officer', agency_id: 'ubnd-cap-xa' },
    ])
  })
})
