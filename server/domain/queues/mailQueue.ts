import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Kysely, Transaction } from 'kysely'
import type { MailOutboxRepository, MailRow } from '../../db/mailOutboxRepository.js'
import type { Database } from '../../db/schema.js'
import type { Mailer } from '../identity/mailer.js'
import { backoffMs, createWorkLoop, type QueueOptions } from './workLoop.js'

export type MailQueueOptions = QueueOptions

// Twelve attempts over about five and a half hours: a mail server down for an afternoon loses nothing.
export const defaultMailQueueOptions: MailQueueOptions = {
  maxAttempts: 12, baseDelayMs: 30_000, maxDelayMs: 3_600_000, leaseMs: 60_000, pollMs: 5_000, batchSize: 50,
}

export interface MailQueueDeps {
  repo: MailOutboxRepository
  /** the group commit of server/db/commitBatcher.ts: claims and results share flushes with other writes */
  commit: <T>(work: (trx: Transaction<Database>) => Promise<T>) => Promise<T>
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

  async function send(row: MailRow): Promise<unknown> {
    try {
      await deps.mailer.send({ to: row.to_address, subject: row.subject, text: row.body })
      return undefined
    } catch (err) {
      return err ?? new Error('mail not sent')
    }
  }

  async function record(trx: Kysely<Database>, rows: MailRow[], errors: unknown[]): Promise<void> {
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
