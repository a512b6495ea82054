import session from 'express-session'
import { LRUCache } from 'lru-cache'
import type { Db } from './database.js'
import { prepared } from './prepared.js'

// Read on every request with a session cookie: compiled once.
const selectSession = prepared((db, a: { sid: string }) => db.selectFrom('sessions').select(['data', 'expires_at']).where('sid', '=', a.sid))

const dayMs = 24 * 60 * 60 * 1000

function expiry(sess: session.SessionData): number {
  const expires = sess.cookie?.expires
  return expires ? new Date(expires).getTime() : Date.now() + dayMs
}

/**
 * express-session's store over the portal database (SQLite or PostgreSQL), so every
 * instance sees every session. Expired rows are ignored on read and swept now and then.
 */
export class DatabaseSessionStore extends session.Store {
  private writes = 0
  /**
   * When each session's expiry was last written by this instance. A rolling session
   * would otherwise cost a durable write on every request; the expiry is pushed forward
   * at most once a minute, so the idle timeout is honoured to within that minute.
   */
  private readonly touched = new LRUCache<string, number>({ max: 100_000 })
  static readonly touchIntervalMs = 60_000

  constructor(private readonly db: Db) {
    super()
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    selectSession(this.db, { sid })
      .then(({ rows: [row] }) => callback(null, row && Number(row.expires_at) > Date.now() ? JSON.parse(row.data) as session.SessionData : null))
      .catch((err: unknown) => callback(err))
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const row = { sid, data: JSON.stringify(sess), expires_at: expiry(sess) }
    this.touched.set(sid, Date.now())
    this.db.insertInto('sessions').values(row)
      .onConflict((oc) => oc.column('sid').doUpdateSet({ data: row.data, expires_at: row.expires_at }))
      .execute()
      .then(() => this.sweepSometimes())
      .then(() => callback?.(), (err: unknown) => callback?.(err))
  }

  override touch(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const last = this.touched.get(sid)
    if (last !== undefined && Date.now() - last < DatabaseSessionStore.touchIntervalMs) {
      callback?.()
      return
    }
    this.touched.set(sid, Date.now())
    this.db.updateTable('sessions').set({ expires_at: expiry(sess) }).where('sid', '=', sid).execute()
      .then(() => callback?.(), (err: unknown) => callback?.(err))
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.db.deleteFrom('sessions').where('sid', '=', sid).execute()
      .then(() => callback?.(), (err: unknown) => callback?.(err))
  }

  /** Deletes expired sessions; the table stays small without a separate job. */
  async sweep(): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', Date.now()).execute()
  }

  private async sweepSometimes(): Promise<void> {
    if (++this.writes % 500 === 0) await this.sweep()
  }
}
