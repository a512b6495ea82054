import { randomUUID } from 'node:crypto'
import type { Selectable } from 'kysely'
import { fold } from '../domain/catalogue/textFolding.js'
import type { AuditRecord, Enterprise, ProfileFields, User } from '../domain/identity/model.js'
import type { IdentityRepository } from '../domain/identity/repository.js'
import { writeAudit } from './audit.js'
import { isUniqueViolation, type Db } from './database.js'
import { prepared } from './prepared.js'
import { camelize, camelOf, snakeize, snakeOf } from './rowMapping.js'
import type { AuditEventTable, UserTable } from './schema.js'

export type UserRow = Selectable<UserTable>

// verified_fields keeps the column names of the fields (full_name, citizen_id); the domain names them in camelCase.

// Read for every signed-in request: an object literal of one shape, not a loop over keys.
export function toUser(r: UserRow): User {
  return {
    id: r.id, email: r.email, emailVerifiedAt: r.email_verified_at, passwordHash: r.password_hash, role: r.role, agencyId: r.agency_id,
    fullName: r.full_name, failedSignIns: Number(r.failed_sign_ins), lockedUntil: r.locked_until, createdAt: r.created_at, updatedAt: r.updated_at,
    birthdate: r.birthdate, gender: r.gender, citizenId: r.citizen_id, address: r.address, phone: r.phone, nationalSub: r.national_sub,
    verifiedFields: r.verified_fields ? (JSON.parse(r.verified_fields) as string[]).map(camelOf) : [],
    assuranceLevel: r.assurance_level === null ? null : Number(r.assurance_level),
  }
}
const maybeUser = (row: UserRow | undefined) => row && toUser(row)
const toAuditRecord = (row: Selectable<AuditEventTable>): AuditRecord => ({
  ...camelize(row), id: Number(row.id), detail: row.detail ? JSON.parse(row.detail) as Record<string, unknown> : {},
})
const verifiedColumn = (fields: string[]) => JSON.stringify(fields.map(snakeOf))

// Read for every signed-in request (the session's account): compiled once.
const selectUser = prepared((db, a: { id: string }) => db.selectFrom('users').selectAll().where('id', '=', a.id))

/** A name is stored with its folded form beside it, whoever writes it. */
function profileColumns(profile: ProfileFields) {
  const values = snakeize(profile)
  return 'full_name' in values ? { ...values, folded_name: values.full_name ? fold(values.full_name) : null } : values
}

export function createIdentityRepository(db: Db): IdentityRepository {
  const now = () => new Date().toISOString()
  return {
    findUserById: async (id) => maybeUser((await selectUser(db, { id })).rows[0]),
    findUserByEmail: async (email) => maybeUser(await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()),

    /**
     * Creates an account; with `ifAbsent`, an address another instance registered a moment
     * before is left as it is (undefined), so instances starting together do not collide.
     */
    async createUser(user, options = {}) {
      const at = now()
      const row: UserRow = {
        id: randomUUID(), email: user.email, email_verified_at: user.verified ? at : null, password_hash: user.passwordHash,
        role: user.role ?? 'citizen', agency_id: user.agencyId ?? null, full_name: user.fullName, folded_name: fold(user.fullName),
        failed_sign_ins: 0, locked_until: null, created_at: at, updated_at: at,
        birthdate: null, gender: null, citizen_id: null, address: null, phone: null,
        national_sub: null, verified_fields: null, assurance_level: null,
      }
      if (options.ifAbsent) {
        const inserted = await db.insertInto('users').values(row).onConflict((oc) => oc.column('email').doNothing()).executeTakeFirst()
        return toUser(Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1 ? row : (await db.selectFrom('users').selectAll().where('email', '=', user.email).executeTakeFirstOrThrow()))
      }
      await db.insertInto('users').values(row).execute()
      return toUser(row)
    },

    async recordFailedSignIn(id, lockUntil) {
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

    async recordSuccessfulSignIn(id) {
      await db.updateTable('users').set({ failed_sign_ins: 0, locked_until: null, updated_at: now() }).where('id', '=', id).execute()
    },

    async markEmailVerified(id) {
      await db.updateTable('users').set({ email_verified_at: now(), updated_at: now() }).where('id', '=', id).execute()
    },

    /** Gives the account a verified address; false when another account holds it. */
    async setVerifiedEmail(id, email) {
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

    async setPassword(id, passwordHash) {
      await db.updateTable('users').set({ password_hash: passwordHash, failed_sign_ins: 0, locked_until: null, updated_at: now() })
        .where('id', '=', id).execute()
    },

    /** Ends every session of a person (passport keeps { passport: { user: id } } in the data). */
    async endSessionsOf(id) {
      await db.deleteFrom('sessions').where('data', 'like', `%"passport":{"user":"${id.replace(/[%_"\\]/g, '')}"}%`).execute()
    },

    findUserByNationalSub: async (sub) => maybeUser(await db.selectFrom('users').selectAll().where('national_sub', '=', sub).executeTakeFirst()),

    async createNationalUser(sub, profile, verifiedFields, level) {
      const at = now()
      const row: UserRow = {
        id: randomUUID(), email: null, email_verified_at: null, password_hash: null, role: 'citizen', agency_id: null,
        full_name: profile.fullName ?? null, folded_name: profile.fullName ? fold(profile.fullName) : null,
        failed_sign_ins: 0, locked_until: null, created_at: at, updated_at: at,
        birthdate: profile.birthdate ?? null, gender: profile.gender ?? null, citizen_id: profile.citizenId ?? null,
        address: profile.address ?? null, phone: profile.phone ?? null,
        national_sub: sub, verified_fields: verifiedColumn(verifiedFields), assurance_level: level,
      }
      await db.insertInto('users').values(row).execute()
      return toUser(row)
    },

    /** Links (or refreshes) the national identity of an account, overwriting what it vouches for. */
    async setNationalIdentity(id, sub, profile, verifiedFields, level) {
      await db.updateTable('users').set({
        ...profileColumns(profile), national_sub: sub, verified_fields: verifiedColumn(verifiedFields), assurance_level: level, updated_at: now(),
      }).where('id', '=', id).execute()
    },

    async updateProfile(id, profile) {
      await db.updateTable('users').set({ ...profileColumns(profile), updated_at: now() }).where('id', '=', id).execute()
    },

    async setRole(id, role, agencyId) {
      await db.updateTable('users').set({ role, agency_id: agencyId, updated_at: now() }).where('id', '=', id).execute()
    },

    /** People by email or name, for the administrator; newest first. */
    async searchUsers(query, limit = 50) {
      let q = db.selectFrom('users').selectAll().orderBy('created_at', 'desc').limit(limit)
      // Tone marks and case ignored: "nguyen van an" finds Nguyễn Văn An.
      const text = fold(query.trim()).replace(/[%_\\]/g, '')
      if (text) {
        const like = `%${text}%`
        q = q.where((eb) => eb.or([eb('email', 'like', like), eb('folded_name', 'like', like)]))
      }
      return (await q.execute()).map(toUser)
    },

    staffOf: async (agencyId) => (await db.selectFrom('users').selectAll().where('agency_id', '=', agencyId)
      .where('role', 'in', ['officer', 'agency_admin']).orderBy('created_at').execute()).map(toUser),

    async findEnterprise(code) {
      const row = await db.selectFrom('enterprises').selectAll().where('code', '=', code).executeTakeFirst()
      return row && camelize(row) satisfies Enterprise
    },

    async findEnterpriseByFoldedName(folded) {
      const row = await db.selectFrom('enterprises').selectAll().where('name_folded', '=', folded).where('status', '!=', 'dissolved').executeTakeFirst()
      return row && camelize(row) satisfies Enterprise
    },

    async seedEnterprises(enterprises) {
      if (enterprises.length) await db.insertInto('enterprises').values(enterprises.map(snakeize)).onConflict((oc) => oc.column('code').doNothing()).execute()
    },

    representationsOf: async (userId) => (await db.selectFrom('representations').selectAll()
      .where('user_id', '=', userId).orderBy('linked_at').execute()).map((r) => camelize(r)),

    async addRepresentation(userId, code, name) {
      await db.insertInto('representations').values({ user_id: userId, enterprise_code: code, enterprise_name: name, linked_at: now() })
        .onConflict((oc) => oc.columns(['user_id', 'enterprise_code']).doNothing()).execute()
    },

    async removeRepresentation(userId, code) {
      const result = await db.deleteFrom('representations').where('user_id', '=', userId).where('enterprise_code', '=', code).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },

    agencyExists: async (id) => Boolean(await db.selectFrom('agencies').select('id').where('id', '=', id).executeTakeFirst()),

    async saveToken(token) {
      await db.insertInto('email_tokens').values({
        token_hash: token.tokenHash, user_id: token.userId, purpose: token.purpose, expires_at: token.expiresAt, email: token.email ?? null,
        used_at: null, created_at: now(),
      }).execute()
    },

    /** Marks a live token used and returns it; undefined when unknown, used or expired. */
    async consumeToken(tokenHash, purpose, userId) {
      const at = now()
      let q = db.updateTable('email_tokens').set({ used_at: at })
        .where('token_hash', '=', tokenHash).where('purpose', '=', purpose)
        .where('used_at', 'is', null).where('expires_at', '>', at)
      if (userId) q = q.where('user_id', '=', userId)
      const result = await q.returning(['user_id', 'email']).executeTakeFirst()
      return result && { userId: result.user_id, email: result.email }
    },

    audit: (entry) => writeAudit(db, entry),

    auditOf: async (subjectId, limit = 50) => (await db.selectFrom('audit_events').selectAll()
      .where('subject_id', '=', subjectId).orderBy('id', 'desc').limit(limit).execute()).map(toAuditRecord),
  }
}
