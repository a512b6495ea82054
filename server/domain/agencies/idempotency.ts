import { createHash } from 'node:crypto'
import type { AgencyRepository } from './repository.js'

export const idempotencyKeyHours = 24
const keepMs = idempotencyKeyHours * 3_600_000

export interface Answer { status: number, body: unknown }

export type IdempotentResult =
  | { kind: 'answered', answer: Answer, replayed: boolean }
  /** the same key was used with another body */
  | { kind: 'mismatch' }
  /** the first request with this key has not answered yet */
  | { kind: 'running' }

/** Idempotency-Key values: 1 to 255 visible ASCII characters. */
export const validIdempotencyKey = (key: string) => /^[\x21-\x7e]{1,255}$/.test(key)

export const requestHash = (method: string, path: string, body: unknown) =>
  createHash('sha256').update(`${method} ${path}\n${JSON.stringify(body ?? null)}`).digest('hex')

/**
 * Runs a write once per agency and Idempotency-Key (kept 24 hours): the same key and
 * body replays the first answer; the same key with another body, or while the first
 * request still runs, is refused. An unexpected failure releases the key, so the
 * agency's retry runs the write again.
 */
export function createIdempotency(repo: AgencyRepository) {
  let lastPurge = 0

  return async function once(agencyId: string, key: string, hash: string, work: () => Promise<Answer>): Promise<IdempotentResult> {
    const now = Date.now()
    if (now - lastPurge > 60_000) {
      lastPurge = now
      await repo.purgeIdempotencyKeys(now - keepMs)
    }
    let existing = await repo.claimIdempotencyKey(agencyId, key, hash, now)
    if (existing && existing.createdAt < now - keepMs) {
      await repo.releaseIdempotencyKey(agencyId, key)
      existing = await repo.claimIdempotencyKey(agencyId, key, hash, now)
    }
    if (existing) {
      if (existing.requestHash !== hash) return { kind: 'mismatch' }
      if (existing.statusCode === null) return { kind: 'running' }
      return { kind: 'answered', replayed: true, answer: { status: existing.statusCode, body: existing.response ? JSON.parse(existing.response) as unknown : null } }
    }
    let answer: Answer
    try {
      answer = await work()
    } catch (err) {
      await repo.releaseIdempotencyKey(agencyId, key)
      throw err
    }
    await repo.finishIdempotencyKey(agencyId, key, answer.status, JSON.stringify(answer.body))
    return { kind: 'answered', answer, replayed: false }
  }
}

export type Idempotency = ReturnType<typeof createIdempotency>
