import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Localized } from '../catalogue/types.js'
import type { Mailer } from '../identity/mailer.js'
import type { Commit, Tx } from '../ports.js'
import { backoffMs, createWorkLoop, type QueueOptions } from './workLoop.js'

export type MailQueueOptions = QueueOptions

// Twelve attempts over about five and a half hours: a mail server down for an afternoon loses nothing.
export const defaultMailQueueOptions: MailQueueOptions = {
  maxAttempts: 12, baseDelayMs: 30_000, maxDelayMs: 3_600_000, leaseMs: 60_000, pollMs: 5_000, batchSize: 50,
}

export interface QueuedMail {
  userId: string
  applicationId: string | null
  subject: string
  body: string
}

/** A claimed email, addressed when it was queued. */
export interface MailItem {
  id: string
  toAddress: string
  subject: string
  body: string
  attempts: number
}

export type MailStatus = 'pending' | 'sent' | 'failed' | 'dead'

/** The mail outbox in storage (server/db/mailOutboxRepository.ts). */
export interface MailOutbox {
  /** Queues an email inside the caller's transaction, to the person's verified address; nothing when there is none. */
  queue(tx: Tx, mail: QueuedMail): Promise<void>
  /** A service's name in the three languages, read inside the caller's transaction. */
  serviceName(tx: Tx, serviceId: string): Promise<Localized>
  /** Leases up to `limit` due emails for `owner` until `until` (epoch ms). */
  claim(tx: Tx, owner: string, until: number, limit: number): Promise<MailItem[]>
  markSent(tx: Tx, ids: string[], owner: string): Promise<void>
  /** Ends a lease on an email that was not sent: to try again at `nextAttemptAt`, or for good. */
  markUnsent(tx: Tx, item: MailItem, owner: string, change: { status: MailStatus, error: string, nextAttemptAt?: number }): Promise<void>
}

export interface MailQueueDeps {
  repo: MailOutbox
  /** the group commit of server/db/commitBatcher.ts: claims and results share flushes with other writes */
  commit: Commit
  mailer: Mailer
  logger: Logger
  options?: Partial<MailQueueOptions>
}

/** An SMTP reply in the 5xx range refuses a message for good; anything else may pass later. */
const refusedForGood = (err: unknown) => {
  const code = (err as { responseCode?: unknown } | undefined)?.responseCode
  return typeof code === 'number' && code >= 500
}

/**
 * Sends the emails queued in mail_outbox (written in the same transaction as the
 * status change they tell of), so an email is never lost to a mail server that is
 * down or a portal that stops: at-least-once, retried with backoff, given up after
 * the last attempt (dead) or at once when the server refuses it (failed).
 */
export function createMailQueue(deps: MailQueueDeps) {
  const options = { ...defaultMailQueueOptions, ...deps.options }
  const { repo, commit, logger } = deps
  const owner = randomUUID()

  async function send(row: MailItem): Promise<unknown> {
    try {
      await deps.mailer.send({ to: row.toAddress, subject: row.subject, text: row.body })
      return undefined
    } catch (err) {
      return err ?? new Error('mail not sent')
    }
  }

  async function record(trx: Tx, rows: MailItem[], errors: unknown[]): Promise<void> {
    await repo.markSent(trx, rows.filter((_, i) => errors[i] === undefined).map((r) => r.id), owner)
    for (const [i, row] of rows.entries()) {
      const err = errors[i]
      if (err === undefined) continue
      const error = err instanceof Error ? err.message : String(err)
      const attempt = row.attempts + 1
      if (refusedForGood(err)) await repo.markUnsent(trx, row, owner, { status: 'failed', error })
      else if (attempt >= options.maxAttempts) await repo.markUnsent(trx, row, owner, { status: 'dead', error })
      else await repo.markUnsent(trx, row, owner, { status: 'pending', error, nextAttemptAt: Math.round(Date.now() + backoffMs(attempt, options.baseDelayMs, options.maxDelayMs)) })
    }
  }

  /** Sends one claimed batch; false when nothing was due, or the mail server failed (the rest waits for its retry). */
  async function sendBatch(): Promise<boolean> {
    const rows = await commit((trx) => repo.claim(trx, owner, Date.now() + options.leaseMs, options.batchSize))
    if (!rows.length) return false
    const errors = await Promise.all(rows.map(send))
    await commit((trx) => record(trx, rows, errors))
    const failed = errors.filter((e) => e !== undefined)
    if (!failed.length) return true
    // One line per batch, not per email: a mail server that is down must not flood the log.
    logger.warn({ failed: failed.length, of: rows.length, err: failed[0] instanceof Error ? failed[0].message : String(failed[0]) }, 'emails not sent; they will be retried')
    return false
  }

  return createWorkLoop(sendBatch, { pollMs: options.pollMs, onError: (err) => logger.error({ err }, 'mail queue drain failed') })
}

export type MailQueue = ReturnType<typeof createMailQueue>
