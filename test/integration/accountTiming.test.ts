import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { csrfFrom } from '../support/browserless.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

// Whether an address has an account must not show in how long the answer takes. The
// paths are compared with each other in one run (medians), never against a fixed time.
let portal: TestPortal
before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
  await portal.database.handle.db.updateTable('users').set({ locked_until: '2999-01-01T00:00:00.000Z' }).where('email', '=', demoAccounts[1]!.email).execute()
})
after(async () => { await portal.close() })

let address = 0
async function median(path: string, body: () => Record<string, string>, rounds = 7): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const agent = request.agent(portal.app)
    const _csrf = await csrfFrom(agent, path)
    const started = performance.now()
    await agent.post(path).set('X-Forwarded-For', `192.0.2.${++address}`).type('form').send({ _csrf, ...body() })
    times.push(performance.now() - started)
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)]!
}

const password = 'a long enough password for the timing test'
let fresh = 0

describe('the time an answer takes does not tell whether an account exists', () => {
  it('sign-in: a wrong password, an unknown account and a locked account', async () => {
    const wrong = await median('/account/sign-in', () => ({ email: demoAccounts[0]!.email, password }), 4)
    const unknown = await median('/account/sign-in', () => ({ email: 'nobody@example.vn', password }))
    const locked = await median('/account/sign-in', () => ({ email: demoAccounts[1]!.email, password }))
    for (const [name, ms] of [['unknown', unknown], ['locked', locked]] as const) {
      assert.ok(ms > 0.6 * wrong, `${name} ${ms.toFixed(1)} ms against a wrong password ${wrong.toFixed(1)} ms`)
    }
  })

  it('registration of a new and of an existing address', async () => {
    const created = await median('/account/register', () => ({ email: `new${++fresh}@example.vn`, fullName: 'Trần Văn Mới', password }), 5)
    const existing = await median('/account/register', () => ({ email: demoAccounts[2]!.email, fullName: 'Trần Văn Mới', password }), 5)
    assert.ok(existing > 0.6 * created, `existing ${existing.toFixed(1)} ms against new ${created.toFixed(1)} ms`)
  })
})
