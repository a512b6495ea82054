import session from 'express-session'
import { sql } from 'kysely'
import { LRUCache } from 'lru-cache'
import type { User } from '../domain/identity/model.js'
import type { Db } from './database.js'
import { toUser, type UserRow } from './identityRepository.js'
import { prepared } from './prepared.js'
import type { Dialect } from './schema.js'

// The account a session is signed in to (Passport keeps its id in the session's JSON).
const signedInId = { sqlite: sql<string>`json_extract(s.data, '$.passport.user')`, postgres: sql<string>`(s.data::json #>> '{passport,user}')` }

// Read on every request with a session cookie, with its account: one statement, compiled once.
const selectSession = (dialect: Dialect) => prepared((db, a: { sid: string }) => db.selectFrom('sessions as s')
  .leftJoin('users as u', (join) => join.onRef('u.id', '=', signedInId[dialect]))
  .select(['s.data as session_data', 's.expires_at as session_expires_at']).selectAll('u')
  .where('s.sid', '=', a.sid))
const selectSessions = { sqlite: selectSession('sqlite'), postgres: selectSession('postgres') }
// Written whenever a request changed its session (a submission keeps its status code there), also compiled once.
const upsertSession = prepared((db, a: { sid: string, data: string, expires_at: number }) => db.insertInto('sessions')
  .values({ sid: a.sid, data: a.data, expires_at: a.expires_at })
  .onConflict((oc) => oc.column('sid').doUpdateSet({ data: a.data, expires_at: a.expires_at })))
const touchSession = prepared((db, a: { sid: string, expires_at: number }) => db.updateTable('sessions').set({ expires_at: a.expires_at }).where('sid', '=', a.sid))
const deleteSession = prepared((db, a: { sid: string }) => db.deleteFrom('sessions').where('sid', '=', a.sid))

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

  /**
   * The accounts read with their sessions, until Passport asks for them (`userOf`): the
   * account comes with the session in one statement, not in a second read after it.
   */
  private readonly accounts = new Map<string, User>()

  constructor(private readonly db: Db, private readonly dialect: Dialect = 'sqlite') {
    super()
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    selectSessions[this.dialect](this.db, { sid })
      .then(({ rows: [row] }) => {
        if (!row || Number(row.session_expires_at) <= Date.now()) return callback(null, null)
        // Taken by the request's userOf; a request that never asks leaves one behind, so the map is bounded.
        if (this.accounts.size >= 10_000) this.accounts.clear()
        if (row.id !== null) this.accounts.set(sid, toUser(row as UserRow))
        callback(null, JSON.parse(row.session_data) as session.SessionData)
      })
      .catch((err: unknown) => callback(err))
  }

  /** The account read with session `sid` a moment ago, if it is `userId`'s; once. */
  userOf(sid: string, userId: string): User | undefined {
    const account = this.accounts.get(sid)
    this.accounts.delete(sid)
    return account?.id === userId ? account : undefined
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const row = { sid, data: JSON.stringify(sess), expires_at: expiry(sess) }
    this.touched.set(sid, Date.now())
    upsertSession(this.db, row)
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
    touchSession(this.db, { sid, expires_at: expiry(sess) })
      .then(() => callback?.(), (err: unknown) => callback?.(err))
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    deleteSession(this.db, { sid })
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
