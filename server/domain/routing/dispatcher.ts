import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { ApplicationRepository, ApplicationRow, DocumentRow } from '../../db/applicationRepository.js'
import type { Kysely } from 'kysely'
import { createOutboxRepository, type OutboxRow } from '../../db/outboxRepository.js'
import type { Database, Dialect } from '../../db/schema.js'
import type { ApplicationService } from '../applications/applicationService.js'
import { IllegalTransition } from '../applications/applicationService.js'
import type { BusinessRegistry } from '../identity/businessRegistry.js'
import { backoffMs, createWorkLoop, type QueueOptions } from '../queues/workLoop.js'
import { EndpointGone } from './remoteHandler.js'
import { FinalError, RetryableError, type AgencyHandler, type HandlerApplication, type HandlerContext, type HandlerResult } from './handlerContract.js'

export type DispatcherOptions = QueueOptions

export const defaultDispatcherOptions: DispatcherOptions = {
  maxAttempts: 8, baseDelayMs: 2_000, maxDelayMs: 3_600_000, leaseMs: 60_000, pollMs: 2_000, batchSize: 20,
}

/** A handler for agencies that have none: the application lands in the portal's officer console. */
const officerConsole: AgencyHandler = { handle: async () => ({ outcome: 'accepted' }) }

export interface DispatcherDeps {
  repo: ApplicationRepository
  dialect: Dialect
  applications: ApplicationService
  handlers: Record<string, AgencyHandler>
  /** agencies delivered to a remote endpoint, and its URL for the delivery log */
  targets?: Record<string, string>
  registry: BusinessRegistry
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
  const { repo, dialect, logger } = deps
  const owner = randomUUID()

  const outbox = createOutboxRepository(repo.db, dialect)
  // Through the group commit: under load the claim shares its flush with submissions.
  const claim = () => repo.commit((trx) => outbox.claim(trx, owner, Date.now() + options.leaseMs, options.batchSize))

  function backoff(attempt: number, retryAfterSeconds?: number): number {
    return Math.max(backoffMs(attempt, options.baseDelayMs, options.maxDelayMs), (retryAfterSeconds ?? 0) * 1000)
  }

  type Outcome = 'accepted' | 'retry' | 'final' | 'dead'
  const logAttempt = (trx: Kysely<Database>, row: OutboxRow, attempt: number, target: string, outcome: Outcome, started: number, statusCode: number | null, error: string | null) =>
    outbox.logAttempt(trx, row, { attempt, target, outcome, status_code: statusCode, latency_ms: Math.round(performance.now() - started), error })
  const finish = (trx: Kysely<Database>, row: OutboxRow, status: OutboxRow['status'], attempts: number, error: string | null, nextAttemptAt?: number) =>
    outbox.finish(trx, row, owner, { status, attempts, error, ...(nextAttemptAt ? { nextAttemptAt } : {}) })

  /** What a claimed batch needs, read in three queries rather than three per delivery. */
  interface Batch { apps: Map<string, ApplicationRow>, documents: Map<string, DocumentRow[]>, disabled: Set<string> }
  async function readBatch(rows: OutboxRow[]): Promise<Batch> {
    const ids = rows.map((r) => r.application_id)
    const remote = [...new Set(rows.map((r) => r.agency_id).filter((a) => deps.targets?.[a]))]
    const [apps, documents, disabled] = await Promise.all([repo.byIds(ids), repo.documentsOf(ids), outbox.disabledAmong(remote)])
    const byApplication = new Map<string, DocumentRow[]>()
    for (const d of documents) byApplication.set(d.application_id, [...byApplication.get(d.application_id) ?? [], d])
    return { apps: new Map(apps.map((a) => [a.id, a])), documents: byApplication, disabled: new Set(disabled) }
  }

  function applicationFor(app: ApplicationRow | undefined, documents: DocumentRow[]): HandlerApplication | undefined {
    if (!app?.submitted_at) return undefined
    return {
      reference: app.reference, serviceId: app.service_id, submittedAt: app.submitted_at,
      answers: JSON.parse(app.answers) as HandlerApplication['answers'],
      profile: app.profile ? JSON.parse(app.profile) as Record<string, string> : {},
      assuranceLevel: Number(app.assurance_level ?? 0),
      onBehalfOf: app.on_behalf_of ? { enterpriseCode: app.on_behalf_of, name: app.on_behalf_of_name ?? '' } : null,
      documents: documents.map((d) => ({ id: d.id, field: d.field_id, filename: d.filename, contentType: d.content_type, size: Number(d.size), sha256: d.sha256 })),
    }
  }

  /**
   * The handler's decision, the delivery log row and the outbox row, in one transaction:
   * the application moves to received (or rejected) exactly when the delivery is marked
   * done. A repeat after a crash finds the application already moved and leaves it.
   */
  async function recordSuccess(row: OutboxRow, app: ApplicationRow, attempt: number, target: string, started: number, result: HandlerResult) {
    const message = result.message ? JSON.stringify(result.message) : null
    const to = result.outcome === 'refused' ? 'rejected' as const : 'received' as const
    const moved = await repo.commit(async (trx) => {
      await logAttempt(trx, row, attempt, target, 'accepted', started, result.outcome === 'accepted' ? result.statusCode ?? null : null, null)
      await finish(trx, row, 'delivered', attempt, null)
      try {
        await deps.applications.transitionIn(trx, app, to, { id: null, kind: 'agency' },
          { message, agencyReference: result.outcome === 'accepted' ? result.agencyReference ?? null : null })
        return true
      } catch (e) {
        if (!(e instanceof IllegalTransition)) throw e
        return false
      }
    })
    if (moved) deps.applications.told()
  }

  async function deliver(row: OutboxRow, batch: Batch): Promise<void> {
    const attempt = row.attempts + 1
    const handler = deps.handlers[row.agency_id] ?? officerConsole
    const target = deps.targets?.[row.agency_id] ?? (deps.handlers[row.agency_id] ? `in-process:${row.agency_id}` : `officer-console:${row.agency_id}`)
    const started = performance.now()
    if (batch.disabled.has(row.agency_id)) {
      await repo.commit(async (trx) => {
        await logAttempt(trx, row, row.attempts, target, 'final', started, null, 'endpoint disabled (410 Gone earlier); not attempted')
        await finish(trx, row, 'disabled', row.attempts, 'endpoint disabled')
      })
      return
    }
    const requestId = `dispatch-${row.id}-${attempt}`
    let result: HandlerResult
    const app = batch.apps.get(row.application_id)
    try {
      const application = applicationFor(app, batch.documents.get(row.application_id) ?? [])
      if (!application) throw new FinalError('application not found or not submitted')
      const ctx: HandlerContext = {
        requestId, deliveryId: row.id,
        log: logger.child({ requestId, agency: row.agency_id, reference: application.reference }),
        nextNumber: (series) => repo.nextNumber(`${row.agency_id}:${series}`),
        lookups: {
          enterpriseNamed: async (name) => {
            const found = await deps.registry.findByName(name)
            return found && { code: found.code, name: found.name }
          },
        },
      }
      result = await handler.handle(application, ctx)
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      const statusCode = err instanceof FinalError || err instanceof RetryableError ? err.statusCode ?? null : null
      if (err instanceof FinalError) {
        await repo.commit(async (trx) => {
          await logAttempt(trx, row, attempt, target, 'final', started, statusCode, message)
          await finish(trx, row, 'failed', attempt, message)
        })
        if (err instanceof EndpointGone) await outbox.disableEndpoint(row.agency_id, message)
        logger.warn({ outbox: row.id, agency: row.agency_id, err: message }, 'delivery failed for good')
      } else if (attempt >= options.maxAttempts) {
        await repo.commit(async (trx) => {
          await logAttempt(trx, row, attempt, target, 'dead', started, statusCode, message)
          await finish(trx, row, 'dead', attempt, message)
        })
        logger.error({ outbox: row.id, agency: row.agency_id, err: message }, 'delivery dead-lettered after the last attempt')
      } else {
        const delay = backoff(attempt, err instanceof RetryableError ? err.retryAfterSeconds : undefined)
        await repo.commit(async (trx) => {
          await logAttempt(trx, row, attempt, target, 'retry', started, statusCode, message)
          await finish(trx, row, 'pending', attempt, message, Math.round(Date.now() + delay))
        })
      }
      return
    }
    await recordSuccess(row, app!, attempt, target, started, result)
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
