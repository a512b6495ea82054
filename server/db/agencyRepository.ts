import { sql, type Kysely, type Selectable } from 'kysely'
import type { ApiKey, Endpoint, EndpointHealth, Scope } from '../domain/agencies/model.js'
import type { AgencyRepository } from '../domain/agencies/repository.js'
import type { Commit, Tx } from '../domain/ports.js'
import { camelize } from './rowMapping.js'
import type { AgencyEndpointTable, ApiKeyTable, Database } from './schema.js'
import { kyselyOf } from './unitOfWork.js'

function toKey(r: Selectable<ApiKeyTable>): ApiKey {
  return {
    id: r.id, agencyId: r.agency_id, name: r.name, environment: r.environment, scopes: r.scopes.split(' ').filter(Boolean) as Scope[],
    secretHash: r.secret_hash, ipAllowlist: r.ip_allowlist ? r.ip_allowlist.split(',') : [], createdBy: r.created_by, createdAt: r.created_at,
    expiresAt: r.expires_at, revokedAt: r.revoked_at, revokedBy: r.revoked_by, rotatedTo: r.rotated_to, lastUsedAt: r.last_used_at,
    lastUsedIp: r.last_used_ip, noticesSent: r.notices_sent ? r.notices_sent.split(',').map(Number) : [],
  }
}

function toEndpoint(r: Selectable<AgencyEndpointTable>): Endpoint {
  const overlapping = r.previous_secret && r.previous_secret_until && Date.parse(r.previous_secret_until) > Date.now()
  return {
    agencyId: r.agency_id, url: r.url!, secrets: overlapping ? [r.secret!, r.previous_secret!] : [r.secret!],
    origin: r.origin ?? 'settings', state: r.disabled_at ? 'suspended' : r.verified_at ? 'active' : 'unverified',
    verifiedAt: r.verified_at, suspendedAt: r.disabled_at, suspendedReason: r.reason,
    previousSecretUntil: overlapping ? r.previous_secret_until : null, registeredBy: r.registered_by, registeredAt: r.registered_at,
    consecutiveFailures: Number(r.consecutive_failures), failingSince: r.failing_since, lastError: r.last_error, lastErrorAt: r.last_error_at,
    lastSuccessAt: r.last_success_at,
  }
}

/** The agency's held deliveries become due now (after a verification or a resume). */
const dueNow = (db: Kysely<Database>, agencyId: string) =>
  db.updateTable('outbox').set({ next_attempt_at: Date.now() }).where('agency_id', '=', agencyId).where('status', '=', 'pending').execute()

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : null)

/** API keys, endpoints, allowed hosts and Idempotency-Keys of the agencies. */
export function createAgencyRepository(db: Kysely<Database>, commit: Commit): AgencyRepository {
  const on = (tx?: Tx) => (tx ? kyselyOf(tx) : db)
  // The writes of Agency API calls (last use, Idempotency-Keys) through the group commit: many calls share a flush.
  const write = <T>(work: (trx: Kysely<Database>) => Promise<T>) => commit((tx) => work(kyselyOf(tx)))
  const endpoints = () => db.selectFrom('agency_endpoints').selectAll().where('url', 'is not', null)

  return {
    async insertKey(k, tx) {
      await on(tx).insertInto('api_keys').values({
        id: k.id, agency_id: k.agencyId, name: k.name, environment: k.environment, scopes: k.scopes.join(' '), secret_hash: k.secretHash,
        ip_allowlist: k.ipAllowlist.length ? k.ipAllowlist.join(',') : null, created_by: k.createdBy, created_at: k.createdAt,
        expires_at: k.expiresAt, revoked_at: null, revoked_by: null, rotated_to: null, last_used_at: null, last_used_ip: null, notices_sent: '',
      }).execute()
    },
    key: async (id) => {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toKey(row)
    },
    keysOf: async (agencyId) => (await db.selectFrom('api_keys').selectAll().where('agency_id', '=', agencyId).orderBy('created_at', 'desc').execute()).map(toKey),
    async updateKey(id, change, tx) {
      await on(tx).updateTable('api_keys').set({
        ...(change.revokedAt !== undefined ? { revoked_at: change.revokedAt } : {}),
        ...(change.revokedBy !== undefined ? { revoked_by: change.revokedBy } : {}),
        ...(change.rotatedTo !== undefined ? { rotated_to: change.rotatedTo } : {}),
        ...(change.expiresAt !== undefined ? { expires_at: change.expiresAt } : {}),
        ...(change.noticesSent !== undefined ? { notices_sent: change.noticesSent.join(',') } : {}),
      }).where('id', '=', id).execute()
    },
    async touchKey(id, at, ip) {
      await write((trx) => trx.updateTable('api_keys').set({ last_used_at: at, last_used_ip: ip }).where('id', '=', id).execute())
    },
    keysExpiringBefore: async (before) => (await db.selectFrom('api_keys').selectAll()
      .where('revoked_at', 'is', null).where('rotated_to', 'is', null).where('expires_at', '<', before).execute()).map(toKey),

    endpoint: async (agencyId) => {
      const row = await endpoints().where('agency_id', '=', agencyId).executeTakeFirst()
      return row && toEndpoint(row)
    },
    endpointsOf: async (agencyIds) => (agencyIds.length ? (await endpoints().where('agency_id', 'in', agencyIds).execute()).map(toEndpoint) : []),

    async saveEndpoint(agencyId, e, tx) {
      const at = new Date().toISOString()
      const existing = await on(tx).selectFrom('agency_endpoints').select(['url', 'disabled_at']).where('agency_id', '=', agencyId).executeTakeFirst()
      const sameUrl = existing?.url === e.url
      const values = {
        url: e.url, secret: e.secret, previous_secret: e.previousSecret, previous_secret_until: e.previousSecretUntil, origin: e.origin,
        verified_at: sameUrl ? e.verifiedAt : e.origin === 'settings' ? e.verifiedAt : null, registered_by: e.registeredBy,
        ...(sameUrl ? {} : { registered_at: at, disabled_at: null, reason: null, consecutive_failures: 0, failing_since: null }),
      }
      await on(tx).insertInto('agency_endpoints').values({ agency_id: agencyId, registered_at: at, disabled_at: null, reason: null, consecutive_failures: 0, ...values })
        .onConflict((oc) => oc.column('agency_id').doUpdateSet(values)).execute()
    },
    async markVerified(agencyId, at) {
      await db.updateTable('agency_endpoints').set({ verified_at: at }).where('agency_id', '=', agencyId).execute()
      await dueNow(db, agencyId)
    },
    async removeEndpoint(agencyId, tx) {
      await on(tx).deleteFrom('agency_endpoints').where('agency_id', '=', agencyId).execute()
    },

    async recordOutcome(tx, agencyId, o) {
      const trx = kyselyOf(tx)
      const set = o.ok
        ? { consecutive_failures: 0, failing_since: null, last_success_at: o.at }
        : {
            consecutive_failures: sql<number>`consecutive_failures + 1`, failing_since: sql<string>`coalesce(failing_since, ${o.at})`,
            last_error: o.error?.slice(0, 500) ?? null, last_error_at: o.at,
          }
      const row = await trx.updateTable('agency_endpoints').set(set).where('agency_id', '=', agencyId)
        .returning(['consecutive_failures', 'failing_since']).executeTakeFirst()
      return { consecutiveFailures: Number(row?.consecutive_failures ?? 0), failingSince: row?.failing_since ?? null }
    },
    async suspend(agencyId, reason, at, tx) {
      await on(tx).updateTable('agency_endpoints').set({ disabled_at: at, reason: reason.slice(0, 500) }).where('agency_id', '=', agencyId).execute()
    },
    async resume(agencyId, tx) {
      await on(tx).updateTable('agency_endpoints').set({ disabled_at: null, reason: null, consecutive_failures: 0, failing_since: null })
        .where('agency_id', '=', agencyId).execute()
      await dueNow(on(tx), agencyId)
    },
    async health(agencyId, since): Promise<EndpointHealth> {
      const endpoint = await endpoints().select('url').where('agency_id', '=', agencyId).executeTakeFirst()
      if (!endpoint?.url) return { attempts: 0, succeeded: 0, successRate: null, p50Ms: null, p95Ms: null }
      const rows = await db.selectFrom('deliveries').select(['outcome', 'latency_ms']).where('agency_id', '=', agencyId)
        .where('target', '=', endpoint.url).where('at', '>=', since).limit(200_000).execute()
      const latencies = rows.map((r) => Number(r.latency_ms)).sort((a, b) => a - b)
      const succeeded = rows.filter((r) => r.outcome === 'accepted').length
      return {
        attempts: rows.length, succeeded, successRate: rows.length ? succeeded / rows.length : null,
        p50Ms: percentile(latencies, 0.5), p95Ms: percentile(latencies, 0.95),
      }
    },
    administratorsOf: async (agencyId) => (await db.selectFrom('users').select('id').where('agency_id', '=', agencyId).where('role', '=', 'agency_admin').execute())
      .map((r) => r.id),

    hosts: async () => (await db.selectFrom('endpoint_hosts').selectAll().orderBy('host').orderBy('port').execute()).map((r) => ({ ...camelize(r), port: Number(r.port) })),
    hostAllowed: async (host, port) => Boolean(await db.selectFrom('endpoint_hosts').select('host').where('host', '=', host).where('port', '=', port).executeTakeFirst()),
    async allowHost(h, tx) {
      await on(tx).insertInto('endpoint_hosts').values({ host: h.host, port: h.port, allowed_by: h.allowedBy, allowed_at: h.allowedAt, note: h.note })
        .onConflict((oc) => oc.columns(['host', 'port']).doUpdateSet({ allowed_by: h.allowedBy, allowed_at: h.allowedAt, note: h.note })).execute()
    },
    async removeHost(host, port, tx) {
      const result = await on(tx).deleteFrom('endpoint_hosts').where('host', '=', host).where('port', '=', port).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },

    async claimIdempotencyKey(agencyId, key, requestHash, now) {
      const row = await write(async (trx) => {
        const inserted = await trx.insertInto('idempotency_keys')
          .values({ agency_id: agencyId, key, request_hash: requestHash, status_code: null, response: null, created_at: now })
          .onConflict((oc) => oc.columns(['agency_id', 'key']).doNothing()).executeTakeFirst()
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return undefined
        return trx.selectFrom('idempotency_keys').selectAll().where('agency_id', '=', agencyId).where('key', '=', key).executeTakeFirstOrThrow()
      })
      return row && {
        requestHash: row.request_hash, statusCode: row.status_code === null ? null : Number(row.status_code), response: row.response,
        createdAt: Number(row.created_at),
      }
    },
    async finishIdempotencyKey(agencyId, key, statusCode, response) {
      await write((trx) => trx.updateTable('idempotency_keys').set({ status_code: statusCode, response })
        .where('agency_id', '=', agencyId).where('key', '=', key).execute())
    },
    async releaseIdempotencyKey(agencyId, key) {
      await write((trx) => trx.deleteFrom('idempotency_keys').where('agency_id', '=', agencyId).where('key', '=', key).execute())
    },
    async purgeIdempotencyKeys(before) {
      const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
