import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { IncrementResponse, Options, Store } from 'express-rate-limit'
import type { Commit } from '../domain/ports.js'
import type { Db } from './database.js'
import { kyselyOf } from './unitOfWork.js'

/**
 * express-rate-limit's store over the portal database: one atomic upsert per hit, so
 * two instances share the count (the memory store counts per process). With `commit`
 * (the group commit) the hits of concurrent requests share one disk flush.
 */
export class DatabaseRateLimitStore implements Store {
  private windowMs = 60_000
  readonly localKeys = false

  constructor(private readonly db: Db, readonly prefix: string, private readonly commit?: Commit) {}

  init(options: Options): void {
    this.windowMs = options.windowMs
  }

  /** Keys are often email addresses: only their hash is kept. */
  private stored(key: string): string {
    return this.prefix + createHash('sha256').update(key).digest('base64url')
  }

  async increment(key: string): Promise<IncrementResponse> {
    const now = Date.now()
    const resetAt = now + this.windowMs
    const upsert = sql<{ hits: number, reset_at: number }>`
      insert into rate_limits (key, hits, reset_at) values (${this.stored(key)}, 1, ${resetAt})
      on conflict (key) do update set
        hits = case when rate_limits.reset_at <= ${now} then 1 else rate_limits.hits + 1 end,
        reset_at = case when rate_limits.reset_at <= ${now} then ${resetAt} else rate_limits.reset_at end
      returning hits, reset_at`
    const { rows } = this.commit ? await this.commit((tx) => upsert.execute(kyselyOf(tx))) : await upsert.execute(this.db)
    const row = rows[0]!
    return { totalHits: Number(row.hits), resetTime: new Date(Number(row.reset_at)) }
  }

  async decrement(key: string): Promise<void> {
    await this.db.updateTable('rate_limits').set((eb) => ({ hits: eb('hits', '-', 1) }))
      .where('key', '=', this.stored(key)).where('hits', '>', 0).execute()
  }

  async resetKey(key: string): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('key', '=', this.stored(key)).execute()
  }
}

/**
 * The same shared count, written behind: hits are counted here at once and added to the
 * database in one statement per key every `flushMs`, which then tells this instance the
 * others' hits too. An instance is exact about its own requests; those of other
 * instances reach it within `flushMs`. For the Agency API, where a key may make
 * thousands of calls a second and a write each would cost more than the call.
 */
export class BufferedRateLimitStore implements Store {
  private windowMs = 60_000
  readonly localKeys = false
  private readonly counts = new Map<string, { hits: number, resetAt: number, unsent: number }>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly db: Db, readonly prefix: string, private readonly flushMs = 250) {}

  init(options: Options): void {
    this.windowMs = options.windowMs
  }

  private stored(key: string): string {
    return this.prefix + createHash('sha256').update(key).digest('base64url')
  }

  increment(key: string): Promise<IncrementResponse> {
    const now = Date.now()
    const id = this.stored(key)
    let count = this.counts.get(id)
    if (!count || count.resetAt <= now) {
      count = { hits: 0, resetAt: now + this.windowMs, unsent: count?.unsent ?? 0 }
      this.counts.set(id, count)
    }
    count.hits++
    count.unsent++
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref()
    return Promise.resolve({ totalHits: count.hits, resetTime: new Date(count.resetAt) })
  }

  /** Adds the hits counted since the last flush to the shared rows, and learns their totals. */
  async flush(): Promise<void> {
    this.timer = undefined
    const now = Date.now()
    for (const [id, count] of this.counts) {
      if (!count.unsent) {
        if (count.resetAt <= now) this.counts.delete(id)
        continue
      }
      const sent = count.unsent
      count.unsent = 0
      try {
        const { rows } = await sql<{ hits: number, reset_at: number }>`
          insert into rate_limits (key, hits, reset_at) values (${id}, ${sent}, ${count.resetAt})
          on conflict (key) do update set
            hits = case when rate_limits.reset_at <= ${now} then ${sent} else rate_limits.hits + ${sent} end,
            reset_at = case when rate_limits.reset_at <= ${now} then ${count.resetAt} else rate_limits.reset_at end
          returning hits, reset_at`.execute(this.db)
        const row = rows[0]!
        // What came in while the statement ran is still unsent and counted on top.
        count.hits = Math.max(count.hits, Number(row.hits) + count.unsent)
        count.resetAt = Number(row.reset_at)
      } catch {
        count.unsent += sent
      }
    }
    if ([...this.counts.values()].some((c) => c.unsent)) this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref()
  }

  async decrement(key: string): Promise<void> {
    const count = this.counts.get(this.stored(key))
    if (count && count.hits > 0) count.hits--
  }

  async resetKey(key: string): Promise<void> {
    this.counts.delete(this.stored(key))
    await this.db.deleteFrom('rate_limits').where('key', '=', this.stored(key)).execute()
  }
}
