import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { ApplicationService } from '../applications/applicationService.js'
import type { Application, ApplicationDocument, DeliveryAttempt, DeliveryStatus, OutboxItem } from '../applications/model.js'
import type { ApplicationRepository } from '../applications/repository.js'
import type { AuditLog, Tx } from '../ports.js'
import { IllegalTransition } from '../applications/applicationService.js'
import type { BusinessRegistry } from '../identity/businessRegistry.js'
import { backoffMs, createWorkLoop, type QueueOptions } from '../queues/workLoop.js'
import { createRemoteHandler, defaultRemoteOptions, EndpointGone, type RemoteEndpoint, type RemoteOptions } from './remoteHandler.js'
import { FinalError, RetryableError, type AgencyHandler, type HandlerApplication, type HandlerContext, type HandlerResult } from './handlerContract.js'

export interface DispatcherOptions extends QueueOptions {
  /** how long a delivery held by an unverified or suspended endpoint waits before it is looked at again */
  holdMs: number
}

export const defaultDispatcherOptions: DispatcherOptions = {
  maxAttempts: 8, baseDelayMs: 2_000, maxDelayMs: 3_600_000, leaseMs: 60_000, pollMs: 2_000, batchSize: 20, holdMs: 300_000,
}

/** A handler for agencies that have none: the application lands in the portal's officer console. */
const officerConsole: AgencyHandler = { handle: async () => ({ outcome: 'accepted' }) }

export interface DeliveryChange { status: DeliveryStatus, attempts: number, error: string | null, nextAttemptAt?: number }

/** The dispatcher's side of the outbox in storage (server/db/outboxRepository.ts). */
export interface DeliveryQueue {
  /** Leases up to `limit` due deliveries for `owner` until `until` (epoch ms). */
  claim(tx: Tx, owner: string, until: number, limit: number): Promise<OutboxItem[]>
  /** One row of the delivery log (status, latency, error; never the body). */
  logAttempt(tx: Tx, item: OutboxItem, attempt: Pick<DeliveryAttempt, 'attempt' | 'target' | 'outcome' | 'statusCode' | 'latencyMs' | 'error'>): Promise<void>
  /** Ends a lease with the item's new state; only the lease holder can. */
  finish(tx: Tx, item: OutboxItem, owner: string, change: DeliveryChange): Promise<void>
}

/** An agency's registered endpoint as the dispatcher needs it. */
export interface RemoteTarget extends RemoteEndpoint {
  /** only an active endpoint is sent to; the agency's deliveries wait while it is unverified or suspended */
  state: 'unverified' | 'active' | 'suspended'
  /** a run of failures is under way, or no success was noted in the last minute: a success is worth recording */
  successWorthNoting: boolean
}

/** The agencies' registered endpoints (server/domain/agencies/endpoints.ts). */
export interface EndpointDirectory {
  targetsOf(agencyIds: string[]): Promise<Map<string, RemoteTarget>>
  /** After each attempt at an endpoint, in the attempt's transaction: counts runs of failures. */
  recordOutcome(tx: Tx, agencyId: string, outcome: { ok: boolean, error: string | null }): Promise<void>
  /** After the attempt's transaction: suspends an endpoint whose failures went on too long, or that answered 410 Gone. */
  afterFailure(agencyId: string, gone: boolean, error: string): Promise<void>
}

export interface DispatcherDeps {
  repo: ApplicationRepository
  queue: DeliveryQueue
  applications: ApplicationService
  /** the agencies' in-process handlers */
  handlers: Record<string, AgencyHandler>
  /** the agencies' own endpoints, which come before an in-process handler */
  endpoints: EndpointDirectory
  remoteOptions?: Partial<RemoteOptions>
  registry: BusinessRegistry
  /** each registry lookup a handler makes is a read the applicant sees on their data-use page */
  audit: AuditLog
  logger: Logger
  options?: Partial<DispatcherOptions>
}

/**
 * Delivers submitted applications to their agency's handler from the outbox. Rows are
 * claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL; one UPDATE … RETURNING on
 * SQLite, whose writer is single), so instances never hand the same row to two
 * handlers while the lease holds. Woken right after a submission commits; polls as a
 * fallback. Every attempt is a row in the delivery log.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const options = { ...defaultDispatcherOptions, ...deps.options }
  const { repo, logger } = deps
  const owner = randomUUID()

  const outbox = deps.queue
  const remoteOptions = { ...defaultRemoteOptions, ...deps.remoteOptions }
  // One handler (and its keep-alive agent) per endpoint, address and secrets.
  const remoteHandlers = new Map<string, AgencyHandler>()
  function remoteHandler(target: RemoteTarget): AgencyHandler {
    const key = JSON.stringify([target.url, target.secrets, target.allowPrivate ?? false])
    let handler = remoteHandlers.get(key)
    if (!handler) {
      if (remoteHandlers.size > 1000) remoteHandlers.clear()
      handler = createRemoteHandler(target, remoteOptions)
      remoteHandlers.set(key, handler)
    }
    return handler
  }
  // Through the group commit: under load the claim shares its flush with submissions.
  const claim = () => repo.commit((trx) => outbox.claim(trx, owner, Date.now() + options.leaseMs, options.batchSize))

  function backoff(attempt: number, retryAfterSeconds?: number): number {
    return Math.max(backoffMs(attempt, options.baseDelayMs, options.maxDelayMs), (retryAfterSeconds ?? 0) * 1000)
  }

  type Outcome = 'accepted' | 'retry' | 'final' | 'dead'
  const logAttempt = (
    trx: Tx, row: OutboxItem, attempt: number, target: string, outcome: Outcome, started: number, statusCode: number | null, error: string | null,
  ) =>
    outbox.logAttempt(trx, row, { attempt, target, outcome, statusCode, latencyMs: Math.round(performance.now() - started), error })
  const finish = (trx: Tx, row: OutboxItem, status: DeliveryStatus, attempts: number, error: string | null, nextAttemptAt?: number) =>
    outbox.finish(trx, row, owner, { status, attempts, error, ...(nextAttemptAt ? { nextAttemptAt } : {}) })

  /** What a claimed batch needs, read in four queries rather than four per delivery. */
  interface Batch {
    apps: Map<string, Application>
    documents: Map<string, ApplicationDocument[]>
    targets: Map<string, RemoteTarget>
    /** each service's processing days, for the due date an application gets when received */
    processingDays: Map<string, number | null>
    /** agencies whose endpoint's success this batch has already noted */
    noted: Set<string>
  }
  async function readBatch(rows: OutboxItem[]): Promise<Batch> {
    const ids = rows.map((r) => r.applicationId)
    const agencies = [...new Set(rows.map((r) => r.agencyId))]
    const [apps, documents, targets] = await Promise.all([repo.byIds(ids), repo.documentsOf(ids), deps.endpoints.targetsOf(agencies)])
    const processingDays = await repo.processingDaysOf([...new Set(apps.map((a) => a.serviceId))])
    const byApplication = new Map<string, ApplicationDocument[]>()
    for (const d of documents) byApplication.set(d.applicationId, [...byApplication.get(d.applicationId) ?? [], d])
    return { apps: new Map(apps.map((a) => [a.id, a])), documents: byApplication, targets, processingDays, noted: new Set() }
  }

  function applicationFor(app: Application | undefined, documents: ApplicationDocument[]): HandlerApplication | undefined {
    if (!app?.submittedAt) return undefined
    return {
      reference: app.reference, serviceId: app.serviceId, submittedAt: app.submittedAt,
      answers: app.answers, profile: app.profile ?? {}, assuranceLevel: app.assuranceLevel ?? 0,
      onBehalfOf: app.onBehalfOf ? { enterpriseCode: app.onBehalfOf, name: app.onBehalfOfName ?? '' } : null,
      documents: documents.map((d) => ({ id: d.id, field: d.fieldId, filename: d.filename, contentType: d.contentType, size: d.size, sha256: d.sha256 })),
    }
  }

  /**
   * The handler's decision, the delivery log row and the outbox row, in one transaction:
   * the application moves to received (or rejected) exactly when the delivery is marked
   * done. A repeat after a crash finds the application already moved and leaves it.
   */
  async function recordSuccess(
    row: OutboxItem, app: Application, batch: Batch, attempt: number, target: string, noteSuccess: boolean, started: number, result: HandlerResult,
  ) {
    const message = result.message ? JSON.stringify(result.message) : null
    const to = result.outcome === 'refused' ? 'rejected' as const : 'received' as const
    const moved = await repo.commit(async (trx) => {
      await logAttempt(trx, row, attempt, target, 'accepted', started, result.outcome === 'accepted' ? result.statusCode ?? null : null, null)
      // Once a batch and when it tells something (a run of failures ends, or a minute passed): not a write per delivery.
      if (noteSuccess) await deps.endpoints.recordOutcome(trx, row.agencyId, { ok: true, error: null })
      await finish(trx, row, 'delivered', attempt, null)
      try {
        await deps.applications.transitionIn(trx, app, to, { id: null, kind: 'agency' }, {
          message, agencyReference: result.outcome === 'accepted' ? result.agencyReference ?? null : null,
          ...(batch.processingDays.has(app.serviceId) ? { processingDays: batch.processingDays.get(app.serviceId)! } : {}),
        })
        return true
      } catch (e) {
        if (!(e instanceof IllegalTransition)) throw e
        return false
      }
    })
    if (moved) deps.applications.told()
  }

  async function deliver(row: OutboxItem, batch: Batch): Promise<void> {
    const attempt = row.attempts + 1
    const remote = batch.targets.get(row.agencyId)
    const handler = remote ? remoteHandler(remote) : deps.handlers[row.agencyId] ?? officerConsole
    const target = remote?.url ?? (deps.handlers[row.agencyId] ? `in-process:${row.agencyId}` : `officer-console:${row.agencyId}`)
    const started = performance.now()
    if (remote && remote.state !== 'active') {
      // Held, not attempted: it goes as soon as the endpoint is verified or resumed.
      await repo.commit((trx) => finish(trx, row, 'pending', row.attempts, `held: endpoint ${remote.state}`, Date.now() + options.holdMs))
      return
    }
    const requestId = `dispatch-${row.id}-${attempt}`
    let result: HandlerResult
    const app = batch.apps.get(row.applicationId)
    try {
      const application = applicationFor(app, batch.documents.get(row.applicationId) ?? [])
      if (!application) throw new FinalError('application not found or not submitted')
      const ctx: HandlerContext = {
        requestId, deliveryId: row.id,
        log: logger.child({ requestId, agency: row.agencyId, reference: application.reference }),
        nextNumber: (series) => repo.nextNumber(`${row.agencyId}:${series}`),
        lookups: {
          enterpriseNamed: async (name) => {
            const found = await deps.registry.findByName(name)
            await deps.audit.record({
              action: 'data.registry-lookup', actorId: null, subjectId: app!.applicantId, requestId,
              detail: { reference: application.reference, agency: row.agencyId, by: 'portal', registry: 'business', query: name.slice(0, 200), found: Boolean(found) },
            })
            return found && { code: found.code, name: found.name }
          },
        },
      }
      result = await handler.handle(application, ctx)
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      const statusCode = err instanceof FinalError || err instanceof RetryableError ? err.statusCode ?? null : null
      const counted = (trx: Tx) => (remote ? deps.endpoints.recordOutcome(trx, row.agencyId, { ok: false, error: message }) : Promise.resolve())
      if (err instanceof EndpointGone) {
        // The agency said its endpoint is gone: the delivery waits for it to come back.
        await repo.commit(async (trx) => {
          await logAttempt(trx, row, attempt, target, 'retry', started, statusCode, message)
          await counted(trx)
          await finish(trx, row, 'pending', attempt, message, Date.now() + options.holdMs)
        })
      } else if (err instanceof FinalError) {
        await repo.commit(async (trx) => {
          await logAttempt(trx, row, attempt, target, 'final', started, statusCode, message)
          await counted(trx)
          await finish(trx, row, 'failed', attempt, message)
        })
        logger.warn({ outbox: row.id, agency: row.agencyId, err: message }, 'delivery failed for good')
      } else if (attempt >= options.maxAttempts) {
        await repo.commit(async (trx) => {
          await logAttempt(trx, row, attempt, target, 'dead', started, statusCode, message)
          await counted(trx)
          await finish(trx, row, 'dead', attempt, message)
        })
        logger.error({ outbox: row.id, agency: row.agencyId, err: message }, 'delivery dead-lettered after the last attempt')
      } else {
        const delay = backoff(attempt, err instanceof RetryableError ? err.retryAfterSeconds : undefined)
        await repo.commit(async (trx) => {
          await logAttempt(trx, row, attempt, target, 'retry', started, statusCode, message)
          await counted(trx)
          await finish(trx, row, 'pending', attempt, message, Math.round(Date.now() + delay))
        })
      }
      if (remote) await deps.endpoints.afterFailure(row.agencyId, err instanceof EndpointGone, message)
      return
    }
    const noteSuccess = remote !== undefined && remote.successWorthNoting && !batch.noted.has(row.agencyId)
    if (noteSuccess) batch.noted.add(row.agencyId)
    await recordSuccess(row, app!, batch, attempt, target, noteSuccess, started, result)
  }

  /** Delivers one claimed batch; false when nothing was due. */
  async function deliverBatch(): Promise<boolean> {
    const rows = await claim()
    if (!rows.length) return false
    const batch = await readBatch(rows)
    await Promise.all(rows.map((row) => deliver(row, batch).catch((err: unknown) => logger.error({ err, outbox: row.id }, 'dispatcher error'))))
    return true
  }

  return createWorkLoop(deliverBatch, { pollMs: options.pollMs, onError: (err) => logger.error({ err }, 'dispatcher drain failed') })
}

export type Dispatcher = ReturnType<typeof createDispatcher>
