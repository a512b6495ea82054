import { randomUUID } from 'node:crypto'
import type { Selectable } from 'kysely'
import type { Db } from './database.js'
import type { EmailTokenTable, UserTable } from './schema.js'

export type UserRow = Selectable<UserTable>

export interface AuditEntry {
  action: string
  actorId?: string | null
  subjectId?: string | null
  ip?: string | null
  requestId?: string | null
  detail?: Record<string, unknown>
}

export function createIdentityRepository(db: Db) {
  const now = () => new Date().toISOString()
  return {
    findUserById: (id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    findUserByEmail: (email: string) => db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),

    async createUser(user: {
      email: string, passwordHash: string | null, fullName: string, role?: string, agencyId?: string | null, verified?: boolean,
    }): Promise<UserRow> {
      const at = now()
      const row = {
        id: randomUUID(), email: user.email, email_verified_at: user.verified ? at : null, password_hash: user.passwordHash,
        role: user.role ?? 'citizen', agency_id: user.agencyId ?? null, full_name: user.fullName,
        failed_sign_ins: 0, locked_until: null, created_at: at, updated_at: at,
      }
      await db.insertInto('users').values(row).execute()
      return row
    },

    async recordFailedSignIn(id: string, lockUntil: (failures: number) => string | null): Promise<{ failures: number, lockedUntil: string | null }> {
      return db.transaction().execute(async (trx) => {
        const user = await trx.selectFrom('users').select('failed_sign_ins').where('id', '=', id).executeTakeFirstOrThrow()
        const failures = Number(user.failed_sign_ins) + 1
        const lockedUntil = lockUntil(failures)
        await trx.updateTable('users').set({
          failed_sign_ins: lockedUntil ? 0 : failures, locked_until: lockedUntil, updated_at: now(),
        }).where('id', '=', id).execute()
        return { failures, lockedUntil }
      })
    },

    async recordSuccessfulSignIn(id: string): Promise<void> {
      await db.updateTable('users').set({ failed_sign_ins: 0, locked_until: null, updated_at: now() }).where('id', '=', id).execute()
    },

    async markEmailVerified(id: string): Promise<void> {
      await db.updateTable('users').set({ email_verified_at: now(), updated_at: now() }).where('id', '=', id).execute()
    },

    async setPassword(id: string, passwordHash: string): Promise<void> {
      await db.updateTable('users').set({ password_hash: passwordHash, failed_sign_ins: 0, locked_until: null, updated_at: now() })
        .where('id', '=', id).execute()
    },

    /** Ends every session of a person (passport keeps { passport: { user: id } } in the data). */
    async endSessionsOf(id: string): Promise<void> {
      await db.deleteFrom('sessions').where('data', 'like', `%"passport":{"user":"${id.replace(/[%_"\\]/g, '')}"}%`).execute()
    },

    agencyExists: async (id: string) => Boolean(await db.selectFrom('agencies').select('id').where('id', '=', id).executeTakeFirst()),

    async saveToken(token: Omit<Selectable<EmailTokenTable>, 'used_at' | 'created_at'>): Promise<void> {
      await db.insertInto('email_tokens').values({ ...token, used_at: null, created_at: now() }).execute()
    },

    /** Marks a live token used and returns it; undefined when unknown, used or expired. */
    async consumeToken(tokenHash: string, purpose: EmailTokenTable['purpose']): Promise<{ user_id: string } | undefined> {
      const at = now()
      const result = await db.updateTable('email_tokens').set({ used_at: at })
        .where('token_hash', '=', tokenHash).where('purpose', '=', purpose)
        .where('used_at', 'is', null).where('expires_at', '>', at)
        .returning('user_id').executeTakeFirst()
      return result
    },

    async audit(entry: AuditEntry): Promise<void> {
      await db.insertInto('audit_events').values({
        at: now(), action: entry.action, actor_id: entry.actorId ?? null, subject_id: entry.subjectId ?? null,
        ip: entry.ip ?? null, request_id: entry.requestId ?? null, detail: entry.detail ? JSON.stringify(entry.detail) : null,
      }).execute()
    },

    auditOf: (subjectId: string, limit = 50) => db.selectFrom('audit_events').selectAll()
      .where('subject_id', '=', subjectId).orderBy('id', 'desc').limit(limit).execute(),
  }
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>
