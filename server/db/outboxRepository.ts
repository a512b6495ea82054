import { sql, type Kysely } from 'kysely'
import type { OutboxItem } from '../domain/applications/model.js'
import type { DeliveryQueue } from '../domain/routing/dispatcher.js'
import { prepared } from './prepared.js'
import type { Database, DeliveryTable, Dialect, OutboxTable } from './schema.js'
import { kyselyOf } from './unitOfWork.js'

/**
 * Leases up to `limit` due rows of a queue table (the outbox, the mail outbox) for
 * `owner` until `until` (epoch ms), in one statement: FOR UPDATE SKIP LOCKED on
 * PostgreSQL; SQLite's single writer makes it atomic there.
 */
export async function claimDue<Row extends { attempts: number, next_attempt_at: number }>(
  executor: Kysely<Database>, dialect: Dialect, table: 'outbox' | 'mail_outbox', owner: string, until: number, limit: number,
): Promise<Row[]> {
  const now = Date.now()
  const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``
  const result = await sql<Row>`
    update ${sql.table(table)} set lease_owner = ${owner}, lease_until = ${until}
    where id in (
      select id from ${sql.table(table)}
      where status = 'pending' and next_attempt_at <= ${now} and (lease_until is null or lease_until < ${now})
      order by next_attempt_at limit ${limit} ${lock})
    returning *`.execute(executor)
  // PostgreSQL returns bigint columns as strings.
  return result.rows.map((r) => ({ ...r, attempts: Number(r.attempts), next_attempt_at: Number(r.next_attempt_at) }))
}

// Written for every delivery attempt: compiled once (server/db/prepared.ts).
const insertDelivery = prepared((db, d: Omit<DeliveryTable, 'id'>) => db.insertInto('deliveries').values({
  attempt: d.attempt, target: d.target, outcome: d.outcome, status_code: d.status_code, latency_ms: d.latency_ms, error: d.error,
  outbox_id: d.outbox_id, application_id: d.application_id, agency_id: d.agency_id, at: d.at,
}), { deferred: true })
const updateOutbox = prepared((db, o: Pick<OutboxTable, 'id' | 'status' | 'attempts' | 'last_error' | 'next_attempt_at' | 'delivered_at'> & { owner: string }) =>
  db.updateTable('outbox').set({
    status: o.status, attempts: o.attempts, lease_owner: null, lease_until: null, last_error: o.last_error,
    next_attempt_at: o.next_attempt_at, delivered_at: o.delivered_at,
  }).where('id', '=', o.id).where('lease_owner', '=', o.owner))

/** The dispatcher's side of the outbox: leases and the delivery log. */
export function createOutboxRepository(dialect: Dialect): DeliveryQueue {
  return {
    claim: async (tx, owner, until, limit): Promise<OutboxItem[]> => (await claimDue<OutboxTable>(kyselyOf(tx), dialect, 'outbox', owner, until, limit)).map((r) => ({
      id: r.id, applicationId: r.application_id, agencyId: r.agency_id, status: r.status, attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at, deliveredAt: r.delivered_at,
    })),

    async logAttempt(tx, item, attempt) {
      await insertDelivery(kyselyOf(tx), {
        attempt: attempt.attempt, target: attempt.target, outcome: attempt.outcome, status_code: attempt.statusCode, latency_ms: attempt.latencyMs,
        outbox_id: item.id, application_id: item.applicationId, agency_id: item.agencyId,
        at: new Date().toISOString(), error: attempt.error?.slice(0, 500) ?? null,
      })
    },

    async finish(tx, item, owner, change) {
      await updateOutbox(kyselyOf(tx), {
        id: item.id, owner, status: change.status, attempts: change.attempts, last_error: change.error?.slice(0, 500) ?? null,
        next_attempt_at: change.nextAttemptAt ?? item.nextAttemptAt,
        delivered_at: change.status === 'delivered' ? new Date().toISOString() : item.deliveredAt,
      })
    },
  }
}
