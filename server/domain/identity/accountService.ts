import { createHash, randomBytes } from 'node:crypto'
import type { IdentityRepository, UserRow } from '../../db/identityRepository.js'
import type { Mailer } from './mailer.js'
import { dummyHash, hashPassword, passwordProblem, verifyPassword, type PasswordProblem } from './passwords.js'

export const maxFailedSignIns = 5
export const lockoutMinutes = 15
const verifyLinkHours = 24
const resetLinkMinutes = 60

/** Who did it and from where, for the audit trail. */
export interface RequestContext {
  ip: string | undefined
  requestId: string
}

/** The texts of the emails, in the person's language; supplied by the web layer. */
export interface EmailTexts {
  verify(link: string): { subject: string, text: string }
  alreadyRegistered(signInLink: string): { subject: string, text: string }
  reset(link: string): { subject: string, text: string }
}

export const roles = ['citizen', 'officer', 'auditor', 'admin'] as const
export type Role = (typeof roles)[number]
const onboardingLinkHours = 72

export class AccountRefused extends Error {}

export class PasswordRejected extends Error {
  constructor(readonly problem: PasswordProblem) {
    super(problem)
  }
}

export type SignInResult =
  | { ok: true, user: UserRow }
  | { ok: false, reason: 'invalid' | 'locked' | 'unverified' }

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')
const normaliseEmail = (email: string) => email.trim().toLowerCase()

export function createAccountService(deps: { repo: IdentityRepository, mailer: Mailer, publicUrl: string }) {
  const { repo, mailer, publicUrl } = deps

  async function newToken(user: UserRow, purpose: 'verify-email' | 'reset-password', minutes: number): Promise<string> {
    const token = randomBytes(32).toString('base64url')
    await repo.saveToken({
      token_hash: tokenHash(token), user_id: user.id, purpose,
      expires_at: new Date(Date.now() + minutes * 60_000).toISOString(),
    })
    return token
  }

  async function sendVerification(user: UserRow, texts: EmailTexts) {
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
      if (existing) {
        await mailer.send({ to: email, ...texts.alreadyRegistered(`${publicUrl}/account/sign-in`) })
        await repo.audit({ action: 'account.register-existing', subjectId: existing.id, ip: ctx.ip, requestId: ctx.requestId })
        return
      }
      const user = await repo.createUser({ email, passwordHash: await hashPassword(input.password), fullName: input.fullName.trim() })
      await repo.audit({ action: 'account.registered', actorId: user.id, subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId })
      await sendVerification(user, texts)
    },

    /** Consumes a verification link; false when it is unknown, used or expired. */
    async verifyEmail(token: string, ctx: RequestContext): Promise<boolean> {
      const used = await repo.consumeToken(tokenHash(token), 'verify-email')
      if (!used) return false
      await repo.markEmailVerified(used.user_id)
      await repo.audit({ action: 'account.email-verified', actorId: used.user_id, subjectId: used.user_id, ip: ctx.ip, requestId: ctx.requestId })
      return true
    },

    async signIn(emailInput: string, password: string, ctx: RequestContext): Promise<SignInResult> {
      const user = await repo.findUserByEmail(normaliseEmail(emailInput))
      if (!user?.password_hash) {
        await verifyPassword(await dummyHash(), password)
        await repo.audit({ action: 'sign-in.failed', ip: ctx.ip, requestId: ctx.requestId, detail: { reason: 'unknown-account' } })
        return { ok: false, reason: 'invalid' }
      }
      if (user.locked_until && user.locked_until > new Date().toISOString()) {
        await repo.audit({ action: 'sign-in.refused-locked', subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId })
        return { ok: false, reason: 'locked' }
      }
      if (!(await verifyPassword(user.password_hash, password))) {
        const { lockedUntil } = await repo.recordFailedSignIn(user.id, (failures) =>
          failures >= maxFailedSignIns ? new Date(Date.now() + lockoutMinutes * 60_000).toISOString() : null)
        await repo.audit({ action: 'sign-in.failed', subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId, detail: { reason: 'password' } })
        if (lockedUntil) {
          await repo.audit({ action: 'account.locked', subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId, detail: { until: lockedUntil } })
        }
        return { ok: false, reason: 'invalid' }
      }
      if (!user.email_verified_at) return { ok: false, reason: 'unverified' }
      await repo.recordSuccessfulSignIn(user.id)
      await repo.audit({ action: 'sign-in', actorId: user.id, subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId, detail: { method: 'password' } })
      return { ok: true, user }
    },

    /**
     * Creates a staff or citizen account for an administrator (or the command line). No
     * password travels: the person gets a single-use link to set one, which also proves
     * the address. An officer belongs to exactly one agency.
     */
    async createAccount(input: { email: string, fullName: string, role: Role, agencyId?: string | undefined }, texts: EmailTexts, actor: string): Promise<UserRow> {
      const email = normaliseEmail(input.email)
      if (!(roles as readonly string[]).includes(input.role)) throw new AccountRefused(`unknown role "${input.role}"; one of: ${roles.join(', ')}`)
      if (input.role === 'officer' && !input.agencyId) throw new AccountRefused('an officer needs --agency')
      if (input.role !== 'officer' && input.agencyId) throw new AccountRefused('only an officer belongs to an agency')
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
        const user = await repo.createUser({
          email: a.email, passwordHash: await hashPassword(a.password), fullName: a.fullName, role: a.role, agencyId: a.agencyId ?? null, verified: true,
        })
        await repo.audit({ action: 'account.created', actorId: 'demo-seed', subjectId: user.id, detail: { role: a.role, demo: true } })
        created++
      }
      return created
    },

    /** Emails a reset link when the address has a password account; silent otherwise. */
    async requestPasswordReset(emailInput: string, texts: EmailTexts, ctx: RequestContext): Promise<void> {
      const user = await repo.findUserByEmail(normaliseEmail(emailInput))
      if (!user?.email) return
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
      await repo.setPassword(used.user_id, await hashPassword(password))
      await repo.markEmailVerified(used.user_id)
      await repo.endSessionsOf(used.user_id)
      await repo.audit({ action: 'account.password-changed', actorId: used.user_id, subjectId: used.user_id, ip: ctx.ip, requestId: ctx.requestId, detail: { via: 'reset-link' } })
      return true
    },

    async signedOut(userId: string, ctx: RequestContext): Promise<void> {
      await repo.audit({ action: 'sign-out', actorId: userId, subjectId: userId, ip: ctx.ip, requestId: ctx.requestId })
    },

    findUser: (id: string) => repo.findUserById(id),

    /** Sign-ins and other account events about this person, newest first. */
    async history(userId: string) {
      return (await repo.auditOf(userId)).map((e) => ({ at: e.at, action: e.action, ip: e.ip, detail: e.detail ? JSON.parse(e.detail) as Record<string, unknown> : {} }))
    },
  }
}

export type AccountService = ReturnType<typeof createAccountService>
