import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { pino } from 'pino'
import { createApplicationRepository } from '../../server/db/applicationRepository.js'
import { createOutboxRepository } from '../../server/db/outboxRepository.js'
import { openDatabase } from '../../server/db/database.js'
import { createDispatcher } from '../../server/domain/routing/dispatcher.js'
import type { AgencyHandler } from '../../server/domain/routing/handlerContract.js'
import { citizen, submitted } from '../support/submissions.js'
import { createTestPortal, postgresUrl, usePostgres } from '../support/testApp.js'

const count = 1000

describe('two dispatchers on one database', () => {
  it(`deliver each of ${count} applications exactly once between them`, { timeout: 180_000 }, async () => {
    const portal = await createTestPortal()
    try {
      const user = await citizen(portal, 'many@example.vn')
      for (let i = 0; i < count; i++) await submitted(portal, user)

      // Two instances: on PostgreSQL each has its own connection pool, as two processes would.
      const delivered: Array<{ by: string, id: string, reference: string }> = []
      const handler = (by: string): AgencyHandler => ({
        async handle(application, ctx) {
          delivered.push({ by, id: ctx.deliveryId, reference: application.reference })
          await new Promise((r) => setTimeout(r, Math.random() * 2))
          return { outcome: 'accepted' }
        },
      })
      const { handle } = portal.database
      const second = usePostgres ? openDatabase({ databaseUrl: postgresUrl, dataDir: '', schema: handle.schema!, poolSize: 5 }) : undefined
      const make = (name: string, db = handle.db) => createDispatcher({
        repo: createApplicationRepository(db, handle.dialect), queue: createOutboxRepository(handle.dialect), applications: portal.services.applications,
        endpoints: portal.services.agencies.endpoints.directory,
        handlers: { 'cong-an-cap-xa': handler(name) }, registry: { find: async () => undefined, findByName: async () => undefined },
        audit: { record: async () => {} }, logger: pino({ level: 'silent' }), options: { batchSize: 10 },
      })
      const one = make('one')
      const two = make('two', second?.db)
      await Promise.all([one.drain(), two.drain(), one.drain(), two.drain()])
      await second?.close()

      assert.equal(delivered.length, count, 'every application delivered')
      assert.equal(new Set(delivered.map((d) => d.id)).size, count, 'no delivery twice')
      assert.equal(new Set(delivered.map((d) => d.reference)).size, count)
      const byOne = delivered.filter((d) => d.by === 'one').length
      assert.ok(byOne > 0 && byOne < count, `both dispatchers worked (${byOne} / ${count - byOne})`)
      const statuses = await handle.db.selectFrom('outbox').select('status').execute()
      assert.ok(statuses.every((s) => s.status === 'delivered'))
      const received = await handle.db.selectFrom('applications').select('id').where('status', '=', 'received').execute()
      assert.equal(received.length, count)
    } finally {
      await portal.close()
    }
  })
})
