import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startReceiver, type Receiver } from '../../examples/agency-receiver/receiver.js'
import { citizen, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

const agency = 'cong-an-cap-xa'
const ctx = { ip: '127.0.0.1', requestId: 'test' }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let portal: TestPortal
let server: Server
let receiver: Receiver
let dir: string
const lines: string[] = []

before(async () => {
  portal = await createTestPortal()
  server = portal.app.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  dir = mkdtempSync(path.join(tmpdir(), 'receiver-'))
  receiver = startReceiver({
    port: 0, portalUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, secrets: [], apiKey: undefined,
    databaseFile: path.join(dir, 'agency.db'), sendTimes: 3, log: (line) => lines.push(line),
    decisions: [{ status: 'in_review' }, { status: 'approved', message: 'Đã duyệt' }],
  })
})
after(async () => {
  await receiver.close()
  await new Promise((r) => server.close(r))
  await portal.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the reference agency receiver (examples/agency-receiver)', () => {
  it('is verified, keeps each delivery once, and posts each decision three times with one Idempotency-Key: the citizen sees each once', async () => {
    const port = await receiver.listen()
    const { endpoints, keys } = portal.services.agencies
    const owner = await citizen(portal, 'qt-receiver@example.vn')
    const { token } = await keys.create(agency, { name: 'receiver', scopes: ['applications:write', 'applications:read'], environment: 'live' }, owner.id, ctx)
    await endpoints.allowHost({ host: '127.0.0.1', port }, 'test', ctx)
    const { secret } = await endpoints.register(agency, `http://127.0.0.1:${port}/hooks`, owner.id, ctx)
    assert.match(await endpoints.verify(agency, owner.id, ctx) ?? '', /HTTP 401/, 'without the secret the receiver refuses the challenge')
    receiver.useSecrets([secret])
    assert.equal(await endpoints.verify(agency, owner.id, ctx), null)
    receiver.useApiKey(token)

    const app = await submitted(portal, await citizen(portal, 'cong-dan-receiver@example.vn'))
    await portal.dispatcher.drain()
    assert.equal(receiver.received().length, 1)
    for (let i = 0; i < 100 && receiver.pending(); i++) await sleep(50)
    assert.equal(receiver.pending(), 0, 'every decision acknowledged')

    const events = await portal.database.handle.db.selectFrom('application_events').select(['to_status', 'actor_kind'])
      .where('application_id', '=', app.id).orderBy('id').execute()
    assert.deepEqual(events.map((e) => e.to_status), ['submitted', 'received', 'in_review', 'approved'])
    const notices = await portal.database.handle.db.selectFrom('notifications').select('status').where('application_id', '=', app.id).orderBy('id').execute()
    assert.deepEqual(notices.map((n) => n.status), ['received', 'in_review', 'approved'], 'the citizen is told of each change once')
    assert.equal(lines.filter((l) => /posted (in_review|approved) .*\(replayed\)/.test(l)).length, 4, 'the second and third sends of each were replays')

    // The portal sends the same delivery again (webhook-id unchanged): kept once, nothing posted again.
    const outbox = await portal.database.handle.db.selectFrom('outbox').select('id').where('application_id', '=', app.id).executeTakeFirstOrThrow()
    assert.ok(await portal.services.applications.redeliver(outbox.id, owner.id, ctx, agency))
    await portal.dispatcher.drain()
    assert.equal(receiver.received().length, 1)
    assert.ok(lines.some((l) => l.includes('already kept')))
  })
})
