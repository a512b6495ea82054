import { createHash, randomBytes } from 'node:crypto'
import { isAgencyRole, roles, type ProfileFields, type Role, type TokenPurpose, type User } from './model.js'
import type { IdentityRepository } from './repository.js'
import { citizenIdProblem, type CitizenIdProblem } from './citizenId.js'
import type { Mailer } from './mailer.js'
import { profileFromClaims, type NationalClaims } from './nationalIdentity.js'
import { dummyHash, hashPassword, passwordProblem, verifyPassword, type PasswordProblem } from './passwords.js'

export const maxFailedSignIns = 5
export const lockoutMinutes = 15
const verifyLinkHours = 24
const resetLinkMinutes = 60

/** Who did it and from where, for the audit trail. */
export interface RequestContext {
  ip: string | undefined
  requestId: string
  /** the browser, as its User-Agent says, shown in the sign-in history */
  device?: string | undefined
}

/** The texts of the emails, in the person's language; supplied by the web layer. */
export interface EmailTexts {
  verify(link: string): { subject: string, text: string }
  alreadyRegistered(signInLink: string): { subject: string, text: string }
  reset(link: string): { subject: string, text: string }
  /** a reset asked for an address with no password account: says so, and how to register */
  resetUnknown(registerLink: string): { subject: string, text: string }
}

export { roles, type Role }
const onboardingLinkHours = 72

export class AccountRefused extends Error {}

export class PasswordRejected extends Error {
  constructor(readonly problem: PasswordProblem) {
    super(problem)
  }
}

export class ProfileRejected extends Error {
  constructor(readonly problems: Partial<Record<'citizenId', CitizenIdProblem>>) {
    super('profile rejected')
  }
}

export type LinkResult = 'linked' | 'taken' | 'different'

export type SignInResult =
  | { ok: true, user: User }
  | { ok: false, reason: 'invalid' | 'locked' | 'unverified' }

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')
const normaliseEmail = (email: string) => email.trim().toLowerCase()

export function createAccountService(deps: { repo: IdentityRepository, mailer: Mailer, publicUrl: string }) {
  const { repo, mailer, publicUrl } = deps

  async function newToken(user: User, purpose: TokenPurpose, minutes: number, email?: string): Promise<string> {
    const token = randomBytes(32).toString('base64url')
    await repo.saveToken({
      tokenHash: tokenHash(token), userId: user.id, purpose, ...(email ? { email } : {}),
      expiresAt: new Date(Date.now() + minutes * 60_000).toISOString(),
    })
    return token
  }

  async function sendVerification(user: User, texts: EmailTexts) {
    const token = await newToken(user, 'verify-email', verifyLinkHours * 60)
    await mailer.send({ to: user.email!, ...texts.verify(`${publicUrl}/account/verify?token=${token}`) })
  }

  return {
    /**
     * Creates an account and emails a verification link. An address already registered
     * gets an email saying so instead, and the caller sees the same outcome either way,
     * so registration does not reveal who has an account.
     */
    async register(input: { email: string, password: string, fullName: string }, texts: EmailTexts, ctx: RequestContext): Promise<void> {
      const problem = passwordProblem(input.password)
      if (problem) throw new PasswordRejected(problem)
      const email = normaliseEmail(input.email)
      const existing = await repo.findUserByEmail(email)
      // Hashed whether or not the address is taken, so the answer takes as long either way.
      const passwordHash = await hashPassword(input.password)
      if (existing) {
        await mailer.send({ to: email, ...texts.alreadyRegistered(`${publicUrl}/account/sign-in`) })
        await repo.audit({ action: 'account.register-existing', subjectId: existing.id, ip: ctx.ip, requestId: ctx.requestId })
        return
      }
      const user = await repo.createUser({ email, passwordHash, fullName: input.fullName.trim() })
      await repo.audit({ action: 'account.registered', actorId: user.id, subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId })
      await sendVerification(user, texts)
    },

    /** Consumes a verification link; false when it is unknown, used or expired. */
    async verifyEmail(token: string, ctx: RequestContext): Promise<boolean> {
      const used = await repo.consumeToken(tokenHash(token), 'verify-email')
      if (!used) return false
      await repo.markEmailVerified(used.userId)
      await repo.audit({ action: 'account.email-verified', actorId: used.userId, subjectId: used.userId, ip: ctx.ip, requestId: ctx.requestId })
      return true
    },

    /**
     * The person gives an address to be told at (someone who signed in nationally has
     * none; anyone may change theirs). A link goes to that address; it becomes the
     * account's only when opened, so nobody is written to at an address they do not read.
     */
    async requestEmailChange(userId: string, emailInput: string, texts: EmailTexts, ctx: RequestContext): Promise<void> {
      const user = await repo.findUserById(userId)
      if (!user) throw new AccountRefused('no such account')
      const email = normaliseEmail(emailInput)
      const token = await newToken(user, 'add-email', verifyLinkHours * 60, email)
      await mailer.send({ to: email, ...texts.verify(`${publicUrl}/account/email/confirm?token=${token}`) })
      await repo.audit({ action: 'account.email-requested', actorId: userId, subjectId: userId, ip: ctx.ip, requestId: ctx.requestId })
    },

    /** Opens an add-email link: 'added', 'taken' (another account has the address meanwhile) or 'invalid'. */
    async confirmEmail(token: string, ctx: RequestContext): Promise<'added' | 'taken' | 'invalid'> {
      const used = await repo.consumeToken(tokenHash(token), 'add-email')
      if (!used?.email) return 'invalid'
      if (!(await repo.setVerifiedEmail(used.userId, used.email))) return 'taken'
      await repo.audit({ action: 'account.email-added', actorId: used.userId, subjectId: used.userId, ip: ctx.ip, requestId: ctx.requestId })
      return 'added'
    },

    async signIn(emailInput: string, password: string, ctx: RequestContext): Promise<SignInResult> {
      const user = await repo.findUserByEmail(normaliseEmail(emailInput))
      if (!user?.passwordHash) {
        await verifyPassword(await dummyHash(), password)
        await repo.audit({ action: 'sign-in.failed', ip: ctx.ip, requestId: ctx.requestId, detail: { reason: 'unknown-account' } })
        return { ok: false, reason: 'invalid' }
      }
      if (user.lockedUntil && user.lockedUntil > new Date().toISOString()) {
        // Checked and ignored: a locked account answers as slowly as any other.
        await verifyPassword(user.passwordHash, password)
        await repo.audit({ action: 'sign-in.refused-locked', subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId })
        return { ok: false, reason: 'locked' }
      }
      if (!(await verifyPassword(user.passwordHash, password))) {
        const { lockedUntil } = await repo.recordFailedSignIn(user.id, (failures) =>
          failures >= maxFailedSignIns ? new Date(Date.now() + lockoutMinutes * 60_000).toISOString() : null)
        await repo.audit({ action: 'sign-in.failed', subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId, detail: { reason: 'password' } })
        if (lockedUntil) {
          await repo.audit({ action: 'account.locked', subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId, detail: { until: lockedUntil } })
        }
        return { ok: false, reason: 'invalid' }
      }
      if (!user.emailVerifiedAt) return { ok: false, reason: 'unverified' }
      await repo.recordSuccessfulSignIn(user.id)
      await repo.audit({ action: 'sign-in', actorId: user.id, subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId, detail: { method: 'password', device: ctx.device } })
      return { ok: true, user }
    },

    /**
     * National sign-in: the provider's subject finds the account, or a first sign-in
     * creates one. What the provider vouches for replaces what the account held.
     */
    async signInNational(claims: NationalClaims, ctx: RequestContext): Promise<User> {
      const { profile, verified } = profileFromClaims(claims)
      let user = await repo.findUserByNationalSub(claims.sub)
      if (user) {
        await repo.setNationalIdentity(user.id, claims.sub, profile, verified, claims.assurance_level)
      } else {
        user = await repo.createNationalUser(claims.sub, profile, verified, claims.assurance_level)
        await repo.audit({ action: 'account.created', actorId: user.id, subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId, detail: { via: 'national' } })
      }
      await repo.audit({
        action: 'sign-in', actorId: user.id, subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId,
        detail: { method: 'national', level: claims.assurance_level, device: ctx.device },
      })
      return user
    },

    async nationalSignInFailed(reason: string, ctx: RequestContext): Promise<void> {
      await repo.audit({ action: 'sign-in.failed', ip: ctx.ip, requestId: ctx.requestId, detail: { method: 'national', reason: reason.slice(0, 200) } })
    },

    /**
     * Links the national identity to the signed-in account. Refused when another account
     * already holds that identity, or this one holds a different identity.
     */
    async linkNational(userId: string, claims: NationalClaims, ctx: RequestContext): Promise<LinkResult> {
      const holder = await repo.findUserByNationalSub(claims.sub)
      const user = await repo.findUserById(userId)
      const result: LinkResult = holder && holder.id !== userId ? 'taken'
        : user?.nationalSub && user.nationalSub !== claims.sub ? 'different' : 'linked'
      if (result !== 'linked') {
        await repo.audit({ action: 'account.link-refused', actorId: userId, subjectId: userId, ip: ctx.ip, requestId: ctx.requestId, detail: { reason: result } })
        return result
      }
      const { profile, verified } = profileFromClaims(claims)
      await repo.setNationalIdentity(userId, claims.sub, profile, verified, claims.assurance_level)
      await repo.audit({ action: 'account.linked', actorId: userId, subjectId: userId, ip: ctx.ip, requestId: ctx.requestId, detail: { method: 'national', level: claims.assurance_level } })
      return 'linked'
    },

    /**
     * Saves what the person typed. Fields the national identity provider vouched for are
     * not theirs to change and are left as they are; the citizen ID must agree with the
     * birthdate and gender the account ends up with.
     */
    async updateProfile(userId: string, input: ProfileFields, ctx: RequestContext): Promise<void> {
      const user = await repo.findUserById(userId)
      if (!user) throw new AccountRefused('no such account')
      const locked = new Set(user.verifiedFields)
      const changes = Object.fromEntries(Object.entries(input).filter(([field]) => !locked.has(field))) as ProfileFields
      const merged = { ...user, ...changes }
      if (merged.citizenId) {
        const problem = citizenIdProblem(merged.citizenId, { birthdate: merged.birthdate ?? undefined, gender: merged.gender ?? undefined })
        if (problem) throw new ProfileRejected({ citizenId: problem })
      }
      const changed = Object.keys(changes).filter((field) => changes[field as keyof ProfileFields] !== user[field as keyof ProfileFields])
      if (!changed.length) return
      await repo.updateProfile(userId, changes)
      await repo.audit({ action: 'profile.updated', actorId: userId, subjectId: userId, ip: ctx.ip, requestId: ctx.requestId, detail: { fields: changed } })
    },

    /**
     * An administrator gives someone another role. Every session of that person ends, so
     * the new privileges start with a new session. Administrators cannot change their
     * own role (the last one could lock everyone out).
     */
    async changeRole(actorId: string, targetId: string, input: { role: string, agencyId?: string | undefined }, ctx: RequestContext): Promise<void> {
      const target = await repo.findUserById(targetId)
      if (!target) throw new AccountRefused('no such account')
      if (actorId === targetId) throw new AccountRefused('own-role')
      if (!(roles as readonly string[]).includes(input.role)) throw new AccountRefused('role')
      const agencyId = isAgencyRole(input.role) ? input.agencyId ?? null : null
      if (isAgencyRole(input.role) && !(agencyId && await repo.agencyExists(agencyId))) throw new AccountRefused('agency')
      if (target.role === input.role && target.agencyId === agencyId) return
      await repo.setRole(targetId, input.role, agencyId)
      await repo.endSessionsOf(targetId)
      await repo.audit({
        action: 'role.changed', actorId, subjectId: targetId, ip: ctx.ip, requestId: ctx.requestId,
        detail: { from: target.role, to: input.role, fromAgency: target.agencyId, agency: agencyId },
      })
    },

    searchUsers: (query: string) => repo.searchUsers(query),

    /** An agency's officers and administrators. */
    staffOf: (agencyId: string) => repo.staffOf(agencyId),

    /** The whole audit trail, newest first, for auditors. */

    /**
     * Creates a staff or citizen account for an administrator (or the command line). No
     * password travels: the person gets a single-use link to set one, which also proves
     * the address. An officer belongs to exactly one agency.
     */
    async createAccount(input: { email: string, fullName: string, role: Role, agencyId?: string | undefined }, texts: EmailTexts, actor: string) {
      const email = normaliseEmail(input.email)
      if (!(roles as readonly string[]).includes(input.role)) throw new AccountRefused(`unknown role "${input.role}"; one of: ${roles.join(', ')}`)
      if (isAgencyRole(input.role) && !input.agencyId) throw new AccountRefused(`${input.role} needs --agency`)
      if (!isAgencyRole(input.role) && input.agencyId) throw new AccountRefused('only an officer or agency administrator belongs to an agency')
      if (input.agencyId && !(await repo.agencyExists(input.agencyId))) throw new AccountRefused(`no agency "${input.agencyId}"`)
      if (await repo.findUserByEmail(email)) throw new AccountRefused(`${email} already has an account`)
      const user = await repo.createUser({ email, passwordHash: null, fullName: input.fullName, role: input.role, agencyId: input.agencyId ?? null })
      await repo.audit({ action: 'account.created', actorId: actor, subjectId: user.id, detail: { role: input.role, agency: input.agencyId ?? null } })
      await repo.audit({ action: 'role.assigned', actorId: actor, subjectId: user.id, detail: { role: input.role, agency: input.agencyId ?? null } })
      const token = await newToken(user, 'reset-password', onboardingLinkHours * 60)
      await mailer.send({ to: email, ...texts.reset(`${publicUrl}/account/reset/confirm?token=${token}`) })
      return user
    },

    /**
     * Demo accounts for every role, with known passwords, for development and
     * demonstrations only (server/index.ts never calls this in production).
     */
    async ensureDemoAccounts(accounts: Array<{ email: string, fullName: string, role: Role, agencyId?: string, password: string }>): Promise<number> {
      let created = 0
      for (const a of accounts) {
        if (await repo.findUserByEmail(a.email)) continue
        const passwordHash = await hashPassword(a.password)
        // Another instance starting at the same moment may have created it meanwhile.
        const user = await repo.createUser({
          email: a.email, passwordHash, fullName: a.fullName, role: a.role, agencyId: a.agencyId ?? null, verified: true,
        }, { ifAbsent: true })
        if (user.passwordHash !== passwordHash) continue
        await repo.audit({ action: 'account.created', actorId: 'demo-seed', subjectId: user.id, detail: { role: a.role, demo: true } })
        created++
      }
      return created
    },

    /**
     * Emails a reset link when the address has an account; otherwise an email saying no
     * password account uses it (the person may sign in nationally, or have mistyped
     * elsewhere). One email either way, so the answer's timing tells nothing.
     */
    async requestPasswordReset(emailInput: string, texts: EmailTexts, ctx: RequestContext): Promise<void> {
      const email = normaliseEmail(emailInput)
      const user = await repo.findUserByEmail(email)
      if (!user?.email) {
        await mailer.send({ to: email, ...texts.resetUnknown(`${publicUrl}/account/register`) })
        await repo.audit({ action: 'account.password-reset-unknown', ip: ctx.ip, requestId: ctx.requestId })
        return
      }
      const token = await newToken(user, 'reset-password', resetLinkMinutes)
      await mailer.send({ to: user.email, ...texts.reset(`${publicUrl}/account/reset/confirm?token=${token}`) })
      await repo.audit({ action: 'account.password-reset-requested', subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId })
    },

    /**
     * Sets a new password with a reset link: the link is used up, a lockout is lifted,
     * the address counts as verified (the person read the email), and every session of
     * the account ends. False when the link is unknown, used or expired.
     */
    async resetPassword(token: string, password: string, ctx: RequestContext): Promise<boolean> {
      const problem = passwordProblem(password)
      if (problem) throw new PasswordRejected(problem)
      const used = await repo.consumeToken(tokenHash(token), 'reset-password')
      if (!used) return false
      await repo.setPassword(used.userId, await hashPassword(password))
      await repo.markEmailVerified(used.userId)
      await repo.endSessionsOf(used.userId)
      await repo.audit({ action: 'account.password-changed', actorId: used.userId, subjectId: used.userId, ip: ctx.ip, requestId: ctx.requestId, detail: { via: 'reset-link' } })
      return true
    },

    async signedOut(userId: string, ctx: RequestContext): Promise<void> {
      await repo.audit({ action: 'sign-out', actorId: userId, subjectId: userId, ip: ctx.ip, requestId: ctx.requestId })
    },

    findUser: (id: string) => repo.findUserById(id),

    /** Sign-ins and other account events about this person, newest first. */
    /** A single-use link's token for the archive of everything about the person, for 15 minutes. */
    downloadToken: (user: User) => newToken(user, 'data-export', 15),
    /** Uses the token up; true only for this person's live, unused token (someone else's is left alone). */
    takeDownloadToken: async (user: User, token: string): Promise<boolean> => Boolean(await repo.consumeToken(tokenHash(token), 'data-export', user.id)),

    async history(userId: string) {
      return (await repo.auditOf(userId)).map((e) => ({ at: e.at, action: e.action, ip: e.ip, onBehalfOf: e.onBehalfOf, detail: e.detail }))
    },
  }
}

export type AccountService = ReturnType<typeof createAccountService>
