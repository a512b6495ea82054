import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { startAgencyServer, testSecret } from '../support/agencyServer.js'
import { citizen, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

const agency = 'cong-an-cap-xa'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function withPortal(url: string, allow: string[], run: (portal: TestPortal) => Promise<void>, dispatcher = {}) {
  const portal = await createTestPortal({ agencyEndpoints: { [agency]: { url, secret: testSecret } }, endpointAllow: allow, dispatcher })
  try {
    await run(portal)
  } finally {
    await portal.close()
  }
}

/** A loopback agency server answering as `answer` says, closed after `run`. */
async function withAgency(answer: Parameters<typeof startAgencyServer>[1], run: (server: Awaited<ReturnType<typeof startAgencyServer>>) => Promise<void>) {
  const server = await startAgencyServer(testSecret, answer)
  try {
    await run(server)
  } finally {
    await server.close()
  }
}

/** Drains until nothing is pending (retries come due after a few milliseconds here). */
async function deliverAll(portal: TestPortal, rounds = 50) {
  for (let i = 0; i < rounds; i++) {
    await portal.dispatcher.drain()
    const pending = await portal.database.handle.db.selectFrom('outbox').select('id').where('status', '=', 'pending').execute()
    if (!pending.length) return
    await sleep(20)
  }
}

describe('delivery to an agency endpoint over HTTP (Standard Webhooks)', () => {
  it('signs each delivery so the agency can verify it; webhook-id is the outbox row; the application is received', async () => {
    await withAgency(() => ({ status: 200, body: JSON.stringify({ agencyReference: 'CA-2026-000123' }) }), async (server) => {
      await withPortal(server.url, ['127.0.0.1/32'], async (portal) => {
        const app = await submitted(portal, await citizen(portal, 'a@example.vn'))
        await deliverAll(portal)
        assert.equal(server.requests.length, 1)
        const [received] = server.requests
        assert.equal(received!.verified, true, 'the signature verifies with the shared secret')
        const outbox = await portal.database.handle.db.selectFrom('outbox').selectAll().where('application_id', '=', app.id).executeTakeFirstOrThrow()
        assert.equal(received!.id, outbox.id)
        assert.equal(received!.body.data.reference, app.reference)
        // The service declares fullName, citizenId, phone and address; this person's profile has only a
        // name (and an email, which the service did not ask for and which therefore does not travel).
        assert.deepEqual(received!.body.data.profile, { fullName: 'Nguyễn Văn An' })
        const after = await portal.database.handle.db.selectFrom('applications').selectAll().where('id', '=', app.id).executeTakeFirstOrThrow()
        assert.equal(after.status, 'received')
        assert.equal(after.agency_reference, 'CA-2026-000123')
        const log = await portal.database.handle.db.selectFrom('deliveries').selectAll().where('outbox_id', '=', outbox.id).execute()
        assert.deepEqual(log.map((d) => [d.outcome, d.status_code, d.target]), [['accepted', 200, server.url]])
      })
    })
  })

  it('the agency down for a while: retried with backoff, delivered once, every attempt logged', async () => {
    await withAgency((n) => (n <= 3 ? { status: 503 } : { status: 202 }), async (server) => {
      await withPortal(server.url, ['127.0.0.1/32'], async (portal) => {
        const app = await submitted(portal, await citizen(portal, 'b@example.vn'))
        await deliverAll(portal)
        assert.equal(server.requests.length, 4)
        assert.equal(new Set(server.requests.map((r) => r.id)).size, 1, 'the same webhook-id on every retry')
        assert.equal(server.accepted.size, 1)
        const log = await portal.database.handle.db.selectFrom('deliveries').selectAll().where('application_id', '=', app.id).orderBy('id').execute()
        assert.deepEqual(log.map((d) => [d.attempt, d.outcome, d.status_code]), [[1, 'retry', 503], [2, 'retry', 503], [3, 'retry', 503], [4, 'accepted', 202]])
        const after = await portal.database.handle.db.selectFrom('applications').select('status').where('id', '=', app.id).executeTakeFirstOrThrow()
        assert.equal(after.status, 'received')
      })
    })
  })

  it('honours Retry-After', async () => {
    await withAgency(() => ({ status: 429, headers: { 'retry-after': '120' } }), async (server) => {
      await withPortal(server.url, ['127.0.0.1/32'], async (portal) => {
        const app = await submitted(portal, await citizen(portal, 'c@example.vn'))
        await portal.dispatcher.drain()
        const row = await portal.database.handle.db.selectFrom('outbox').selectAll().where('application_id', '=', app.id).executeTakeFirstOrThrow()
        assert.equal(row.status, 'pending')
        assert.ok(Number(row.next_attempt_at) >= Date.now() + 110_000, 'not before the agency asked')
      })
    })
  })

  it('the agency answering 4xx is a final failure, visible in the delivery log; no retry; an administrator can send it again', async () => {
    let fixed = false
    await withAgency(() => (fixed ? { status: 200 } : { status: 422, body: '{"error":"unknown service"}' }), async (server) => {
      await withPortal(server.url, ['127.0.0.1/32'], async (portal) => {
        const app = await submitted(portal, await citizen(portal, 'd@example.vn'))
        await deliverAll(portal)
        assert.equal(server.requests.length, 1)
        const row = await portal.database.handle.db.selectFrom('outbox').selectAll().where('application_id', '=', app.id).executeTakeFirstOrThrow()
        assert.equal(row.status, 'failed')
        assert.match(row.last_error ?? '', /HTTP 422/)
        const log = await portal.database.handle.db.selectFrom('deliveries').selectAll().where('outbox_id', '=', row.id).execute()
        assert.deepEqual(log.map((d) => [d.outcome, d.status_code]), [['final', 422]])

        // The agency fixes its side; the administrator redelivers: same webhook-id, received.
        fixed = true
        assert.equal(await portal.services.applications.redeliver(row.id, 'admin-test', { ip: '127.0.0.1', requestId: 't' }), true)
        await deliverAll(portal)
        assert.equal(server.accepted.size, 1)
        assert.equal(server.requests[1]!.id, row.id)
        const after = await portal.database.handle.db.selectFrom('applications').select('status').where('id', '=', app.id).executeTakeFirstOrThrow()
        assert.equal(after.status, 'received')
      })
    })
  })

  it('after the last attempt the delivery is dead-lettered', async () => {
    await withAgency(() => ({ status: 500 }), async (server) => {
      await withPortal(server.url, ['127.0.0.1/32'], async (portal) => {
        const app = await submitted(portal, await citizen(portal, 'e@example.vn'))
        await deliverAll(portal)
        assert.equal(server.requests.length, 3)
        const row = await portal.database.handle.db.selectFrom('outbox').selectAll().where('application_id', '=', app.id).executeTakeFirstOrThrow()
        assert.equal(row.status, 'dead')
      }, { maxAttempts: 3 })
    })
  })

  it('410 Gone suspends the endpoint: deliveries wait, none is lost, and go when it is resumed', async () => {
    let gone = true
    await withAgency(() => (gone ? { status: 410 } : { status: 200 }), async (server) => {
      await withPortal(server.url, ['127.0.0.1/32'], async (portal) => {
        await submitted(portal, await citizen(portal, 'f@example.vn'))
        await deliverAll(portal, 3)
        await submitted(portal, await citizen(portal, 'g@example.vn'))
        await deliverAll(portal, 3)
        assert.equal(server.requests.length, 1, 'the second is held, not sent')
        const rows = await portal.database.handle.db.selectFrom('outbox').select(['status', 'last_error']).orderBy('created_at').execute()
        assert.deepEqual(rows.map((r) => r.status), ['pending', 'pending'])
        assert.match(rows[1]!.last_error ?? '', /held: endpoint suspended/)
        const endpoint = await portal.services.agencies.endpoints.endpoint(agency)
        assert.equal(endpoint?.state, 'suspended')
        assert.match(endpoint?.suspendedReason ?? '', /410 Gone/)

        gone = false
        await portal.services.agencies.endpoints.resume(agency, 'admin-test', { ip: '127.0.0.1', requestId: 't' })
        await deliverAll(portal)
        assert.equal(server.accepted.size, 2, 'both delivered after the resume')
        const statuses = (await portal.database.handle.db.selectFrom('applications').select('status').execute()).map((r) => r.status)
        assert.deepEqual(statuses, ['received', 'received'])
      })
    })
  })

  it('refuses a private address unless allowlisted, and never follows a redirect', async () => {
    await withAgency(() => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' } }), async (server) => {
      await withPortal(server.url, [], async (portal) => {
        const app = await submitted(portal, await citizen(portal, 'h@example.vn'))
        await deliverAll(portal)
        assert.equal(server.requests.length, 0, 'loopback is private: refused after resolution')
        const row = await portal.database.handle.db.selectFrom('outbox').selectAll().where('application_id', '=', app.id).executeTakeFirstOrThrow()
        assert.equal(row.status, 'failed')
        assert.match(row.last_error ?? '', /address refused/)
      })
      await withPortal(server.url, ['127.0.0.1/32'], async (portal) => {
        const app = await submitted(portal, await citizen(portal, 'i@example.vn'))
        await deliverAll(portal)
        assert.equal(server.requests.length, 1)
        const row = await portal.database.handle.db.selectFrom('outbox').selectAll().where('application_id', '=', app.id).executeTakeFirstOrThrow()
        assert.equal(row.status, 'failed')
        assert.match(row.last_error ?? '', /redirects are not followed/)
      })
    })
  })
})
