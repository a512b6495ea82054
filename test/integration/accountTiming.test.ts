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
async function once(path: string, body: Record<string, string>): Promise<number> {
  const agent = request.agent(portal.app)
  const _csrf = await csrfFrom(agent, path)
  const started = performance.now()
  await agent.post(path).set('X-Forwarded-For', `192.0.2.${++address % 250}`).type('form').send({ _csrf, ...body })
  return performance.now() - started
}

/**
 * The median time of each path, measured in turns (one of each per round) so that
 * whatever else the machine does at a moment slows every path alike.
 */
async function medians<K extends string>(
  paths: Record<K, [string, () => Record<string, string>]>, rounds = 7, beforeRound?: () => Promise<unknown>,
): Promise<Record<K, number>> {
  const times = Object.fromEntries(Object.keys(paths).map((k) => [k, [] as number[]])) as Record<K, number[]>
  for (let i = 0; i < rounds; i++) {
    await beforeRound?.()
    for (const [name, [path, body]] of Object.entries(paths) as Array<[K, [string, () => Record<string, string>]]>) times[name].push(await once(path, body()))
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  return Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs as number[])])) as Record<K, number>
}

const password = 'a long enough password for the timing test'
let fresh = 0

describe('the time an answer takes does not tell whether an account exists', () => {
  it('sign-in: a wrong password, an unknown account and a locked account', async () => {
    // The wrong-password account's failures are cleared before each round, or it would lock after five and take the locked path.
    const { wrong, unknown, locked } = await medians({
      wrong: ['/account/sign-in', () => ({ email: demoAccounts[0]!.email, password })],
      unknown: ['/account/sign-in', () => ({ email: 'nobody@example.vn', password })],
      locked: ['/account/sign-in', () => ({ email: demoAccounts[1]!.email, password })],
    }, 9, () => portal.database.handle.db.updateTable('users').set({ failed_sign_ins: 0 }).where('email', '=', demoAccounts[0]!.email).execute())
    for (const [name, ms] of [['unknown', unknown], ['locked', locked]] as const) {
      assert.ok(ms > 0.6 * wrong, `${name} ${ms.toFixed(1)} ms against a wrong password ${wrong.toFixed(1)} ms`)
    }
  })

  it('registration of a new and of an existing address', async () => {
    const { created, existing } = await medians({
      created: ['/account/register', () => ({ email: `new${++fresh}@example.vn`, fullName: 'Trần Văn Mới', password })],
      existing: ['/account/register', () => ({ email: demoAccounts[2]!.email, fullName: 'Trần Văn Mới', password })],
    })
    assert.ok(existing > 0.6 * created, `existing ${existing.toFixed(1)} ms against new ${created.toFixed(1)} ms`)
  })
})
