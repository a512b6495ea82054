import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { IncrementResponse, Options, Store } from 'express-rate-limit'
import type { Db } from './database.js'

/**
 * express-rate-limit's store over the portal database: one atomic upsert per hit, so
 * two instances share the count (the memory store counts per process).
 */
export class DatabaseRateLimitStore implements Store {
  private windowMs = 60_000
  readonly localKeys = false

  constructor(private readonly db: Db, readonly prefix: string) {}

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
    const { rows } = await sql<{ hits: number, reset_at: number }>`
      insert into rate_limits (key, hits, reset_at) values (${this.stored(key)}, 1, ${resetAt})
      on conflict (key) do update set
        hits = case when rate_limits.reset_at <= ${now} then 1 else rate_limits.hits + 1 end,
        reset_at = case when rate_limits.reset_at <= ${now} then ${resetAt} else rate_limits.reset_at end
      returning hits, reset_at`.execute(this.db)
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
