import { randomUUID } from 'node:crypto'
import type { Selectable } from 'kysely'
import { writeAudit, type AuditEntry } from './audit.js'
import { isUniqueViolation, type Db } from './database.js'
import { prepared } from './prepared.js'
import { fold } from '../domain/catalogue/textFolding.js'

export type { AuditEntry }
import type { EmailTokenTable, EnterpriseTable, UserTable } from './schema.js'

export type UserRow = Selectable<UserTable>
export type EnterpriseRow = Selectable<EnterpriseTable>

/** The profile fields a person (or the national identity provider) can set. */
export type ProfileFields = Partial<Pick<UserTable, 'full_name' | 'birthdate' | 'gender' | 'citizen_id' | 'address' | 'phone'>>

// Read for every signed-in request (the session's account): compiled once.
const selectUser = prepared((db, a: { id: string }) => db.selectFrom('users').selectAll().where('id', '=', a.id))

/** A name is stored with its folded form beside it, whoever writes it. */
function withFoldedName<T extends { full_name?: string | null | undefined }>(values: T): T & { folded_name?: string | null } {
  return 'full_name' in values ? { ...values, folded_name: values.full_name ? fold(values.full_name) : null } : values
}

export function createIdentityRepository(db: Db) {
  const now = () => new Date().toISOString()
  return {
    findUserById: async (id: string): Promise<UserRow | undefined> => (await selectUser(db, { id })).rows[0],
    findUserByEmail: (email: string) => db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),

    /**
     * Creates an account; with `ifAbsent`, an address another instance registered a moment
     * before is left as it is (undefined), so instances starting together do not collide.
     */
    async createUser(user: {
      email: string, passwordHash: string | null, fullName: string, role?: string, agencyId?: string | null, verified?: boolean,
    }, options: { ifAbsent?: boolean } = {}): Promise<UserRow> {
      const at = now()
      const row = {
        id: randomUUID(), email: user.email, email_verified_at: user.verified ? at : null, password_hash: user.passwordHash,
        role: user.role ?? 'citizen', agency_id: user.agencyId ?? null, full_name: user.fullName, folded_name: fold(user.fullName),
        failed_sign_ins: 0, locked_until: null, created_at: at, updated_at: at,
        birthdate: null, gender: null, citizen_id: null, address: null, phone: null,
        national_sub: null, verified_fields: null, assurance_level: null,
      }
      if (options.ifAbsent) {
        const inserted = await db.insertInto('users').values(row).onConflict((oc) => oc.column('email').doNothing()).executeTakeFirst()
        return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1 ? row : (await db.selectFrom('users').selectAll().where('email', '=', user.email).executeTakeFirstOrThrow())
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

    /** Gives the account a verified address; false when another account holds it. */
    async setVerifiedEmail(id: string, email: string): Promise<boolean> {
      const holder = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
      if (holder && holder.id !== id) return false
      try {
        await db.updateTable('users').set({ email, email_verified_at: now(), updated_at: now() }).where('id', '=', id).execute()
      } catch (err) {
        // Taken by another account between the check and the write.
        if (isUniqueViolation(err)) return false
        throw err
      }
      return true
    },

    async setPassword(id: string, passwordHash: string): Promise<void> {
      await db.updateTable('users').set({ password_hash: passwordHash, failed_sign_ins: 0, locked_until: null, updated_at: now() })
        .where('id', '=', id).execute()
    },

    /** Ends every session of a person (passport keeps { passport: { user: id } } in the data). */
    async endSessionsOf(id: string): Promise<void> {
      await db.deleteFrom('sessions').where('data', 'like', `%"passport":{"user":"${id.replace(/[%_"\\]/g, '')}"}%`).execute()
    },

    findUserByNationalSub: (sub: string) => db.selectFrom('users').selectAll().where('national_sub', '=', sub).executeTakeFirst(),

    async createNationalUser(sub: string, profile: ProfileFields, verifiedFields: string[], level: number): Promise<UserRow> {
      const at = now()
      const row: UserRow = {
        id: randomUUID(), email: null, email_verified_at: null, password_hash: null, role: 'citizen', agency_id: null,
        full_name: profile.full_name ?? null, folded_name: profile.full_name ? fold(profile.full_name) : null, failed_sign_ins: 0, locked_until: null, created_at: at, updated_at: at,
        birthdate: profile.birthdate ?? null, gender: profile.gender ?? null, citizen_id: profile.citizen_id ?? null,
        address: profile.address ?? null, phone: profile.phone ?? null,
        national_sub: sub, verified_fields: JSON.stringify(verifiedFields), assurance_level: level,
      }
      await db.insertInto('users').values(row).execute()
      return row
    },

    /** Links (or refreshes) the national identity of an account, overwriting what it vouches for. */
    async setNationalIdentity(id: string, sub: string, profile: ProfileFields, verifiedFields: string[], level: number): Promise<void> {
      await db.updateTable('users').set({
        ...withFoldedName(profile), national_sub: sub, verified_fields: JSON.stringify(verifiedFields), assurance_level: level, updated_at: now(),
      }).where('id', '=', id).execute()
    },

    async updateProfile(id: string, profile: ProfileFields): Promise<void> {
      await db.updateTable('users').set({ ...withFoldedName(profile), updated_at: now() }).where('id', '=', id).execute()
    },

    async setRole(id: string, role: string, agencyId: string | null): Promise<void> {
      await db.updateTable('users').set({ role, agency_id: agencyId, updated_at: now() }).where('id', '=', id).execute()
    },

    /** People by email or name, for the administrator; newest first. */
    async searchUsers(query: string, limit = 50): Promise<UserRow[]> {
      let q = db.selectFrom('users').selectAll().orderBy('created_at', 'desc').limit(limit)
      // Tone marks and case ignored: "nguyen van an" finds Nguyễn Văn An.
      const text = fold(query.trim()).replace(/[%_\\]/g, '')
      if (text) {
        const like = `%${text}%`
        q = q.where((eb) => eb.or([eb('email', 'like', like), eb('folded_name', 'like', like)]))
      }
      return q.execute()
    },

    findEnterprise: (code: string) => db.selectFrom('enterprises').selectAll().where('code', '=', code).executeTakeFirst(),

    findEnterpriseByFoldedName: (folded: string) => db.selectFrom('enterprises').selectAll()
      .where('name_folded', '=', folded).where('status', '!=', 'dissolved').executeTakeFirst(),

    async seedEnterprises(rows: EnterpriseRow[]): Promise<void> {
      if (rows.length) await db.insertInto('enterprises').values(rows).onConflict((oc) => oc.column('code').doNothing()).execute()
    },

    representationsOf: (userId: string) => db.selectFrom('representations').selectAll()
      .where('user_id', '=', userId).orderBy('linked_at').execute(),

    async addRepresentation(userId: string, code: string, name: string): Promise<void> {
      await db.insertInto('representations').values({ user_id: userId, enterprise_code: code, enterprise_name: name, linked_at: now() })
        .onConflict((oc) => oc.columns(['user_id', 'enterprise_code']).doNothing()).execute()
    },

    async removeRepresentation(userId: string, code: string): Promise<boolean> {
      const result = await db.deleteFrom('representations').where('user_id', '=', userId).where('enterprise_code', '=', code).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },

    agencyExists: async (id: string) => Boolean(await db.selectFrom('agencies').select('id').where('id', '=', id).executeTakeFirst()),

    async saveToken(token: Omit<Selectable<EmailTokenTable>, 'used_at' | 'created_at' | 'email'> & { email?: string }): Promise<void> {
      await db.insertInto('email_tokens').values({ ...token, email: token.email ?? null, used_at: null, created_at: now() }).execute()
    },

    /** Marks a live token used and returns it; undefined when unknown, used or expired. */
    async consumeToken(tokenHash: string, purpose: EmailTokenTable['purpose']): Promise<{ user_id: string, email: string | null } | undefined> {
      const at = now()
      const result = await db.updateTable('email_tokens').set({ used_at: at })
        .where('token_hash', '=', tokenHash).where('purpose', '=', purpose)
        .where('used_at', 'is', null).where('expires_at', '>', at)
        .returning(['user_id', 'email']).executeTakeFirst()
      return result
    },

    audit: (entry: AuditEntry): Promise<void> => writeAudit(db, entry),


    /** The whole trail, newest first, for auditors; before = an id to page back from. */
    auditTrail: (options: { before?: number | undefined, action?: string | undefined, limit?: number }) => {
      let q = db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(options.limit ?? 100)
      if (options.before) q = q.where('id', '<', options.before)
      if (options.action) q = q.where('action', '=', options.action)
      return q.execute()
    },

    auditOf: (subjectId: string, limit = 50) => db.selectFrom('audit_events').selectAll()
      .where('subject_id', '=', subjectId).orderBy('id', 'desc').limit(limit).execute(),
  }
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>
