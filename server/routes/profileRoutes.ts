import { Router, type NextFunction, type Request, type Response } from 'express'
import { z } from 'zod'
import type { ProfileFields, User } from '../domain/identity/model.js'
import { ProfileRejected, type AccountService } from '../domain/identity/accountService.js'
import type { BusinessService, LinkOutcome } from '../domain/identity/businessService.js'
import type { TranslationKey } from '../i18n/messages.js'
import { HttpError } from '../web/httpErrors.js'
import { allow } from '../web/setUpAuth.js'
import { checkForm } from '../web/validation.js'
import { emailTexts } from '../i18n/emailTexts.js'
import { requestContext } from '../web/requestContext.js'

const blankAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsUndefined, schema.optional())
const digitsOnly = (value: unknown) => (typeof value === 'string' ? value.replace(/[\s.-]/g, '') : value)
const emailField = z.string().trim().toLowerCase().pipe(z.email().max(254))
const today = () => new Date().toISOString().slice(0, 10)

const profileFields = {
  fullName: z.string().trim().min(1).max(200),
  birthdate: optional(z.iso.date().refine((d) => d >= '1900-01-01' && d <= today())),
  gender: optional(z.enum(['male', 'female'])),
  citizenId: optional(z.preprocess(digitsOnly, z.string().regex(/^\d{12}$/))),
  address: optional(z.string().trim().max(300)),
  phone: optional(z.preprocess(digitsOnly, z.string().regex(/^(\+84|0)\d{9,10}$/))),
}
const profileMessages: Record<keyof typeof profileFields, TranslationKey> = {
  fullName: 'account.error.fullName',
  birthdate: 'profile.error.birthdate',
  gender: 'profile.error.gender',
  citizenId: 'profile.error.citizenId.format',
  address: 'profile.error.address',
  phone: 'profile.error.phone',
}
// The profile's fields, named alike in the form and the domain.
const fields = ['fullName', 'birthdate', 'gender', 'citizenId', 'address', 'phone'] as const

const linkMessages: Record<Exclude<LinkOutcome, { ok: true }>['reason'], TranslationKey> = {
  format: 'business.error.format',
  checkDigit: 'business.error.checkDigit',
  notFound: 'business.error.notFound',
  inactive: 'business.error.inactive',
  notRepresentative: 'business.error.notRepresentative',
  unverified: 'business.error.unverified',
}

function profileValues(user: User): Record<(typeof fields)[number], string> {
  return Object.fromEntries(fields.map((field) => [field, user[field] ?? ''])) as Record<(typeof fields)[number], string>
}

/**
 * A new session id for a change of privilege (acting for a business, or as oneself
 * again), keeping what the session held.
 */
function regenerateSession(req: Request, next: NextFunction, then: () => void): void {
  const kept = Object.fromEntries(Object.entries(req.session).filter(([k]) => k !== 'cookie'))
  req.session.regenerate((err) => {
    if (err) return next(err)
    Object.assign(req.session, kept)
    then()
  })
}

export function profileRoutes(deps: { accounts: AccountService, businesses: BusinessService }): Router {
  const { accounts, businesses } = deps
  const router = Router()
  const signedIn = allow('citizen', 'officer', 'agency_admin', 'auditor', 'admin')

  async function currentUser(req: Request): Promise<User> {
    const user = await accounts.findUser(req.user!.id)
    if (!user) throw new HttpError(404, 'error.notFound.title')
    return user
  }

  function renderProfile(res: Response, user: User, values: Record<string, string>, errors: Record<string, TranslationKey>, status = 200) {
    res.status(status).render('pages/account/profile', {
      profile: user, values, errors, verified: new Set(user.verifiedFields), notice: undefined,
    })
  }

  const notices: Record<string, TranslationKey> = { saved: 'profile.saved', linked: 'profile.linked', emailSent: 'profile.email.sent' }

  router.get('/account/profile', signedIn, async (req, res) => {
    const user = await currentUser(req)
    const notice = Object.keys(notices).find((k) => req.query[k] === '1')
    res.render('pages/account/profile', {
      profile: user, values: profileValues(user), errors: {}, verified: new Set(user.verifiedFields),
      notice: notice ? notices[notice] : undefined,
    })
  })

  // An address to be told at: a link goes to it, and it is the account's once opened.
  router.post('/account/email', signedIn, async (req, res) => {
    const { data, errors } = checkForm({ email: emailField }, { email: 'account.error.email' }, req.body)
    if (!data) {
      const user = await currentUser(req)
      return renderProfile(res, user, { ...profileValues(user), email: String(req.body?.email ?? '').slice(0, 254) }, errors as Record<string, TranslationKey>, 422)
    }
    await accounts.requestEmailChange(req.user!.id, data.email, emailTexts(res.locals.t), requestContext(req))
    res.redirect(303, '/account/profile?emailSent=1')
  })

  // As for verification, the emailed link opens a page with a button, so a mail scanner
  // fetching the link does not use it up.
  router.get('/account/email/confirm', (req, res) => {
    res.render('pages/account/verify', { token: typeof req.query['token'] === 'string' ? req.query['token'].slice(0, 200) : '', action: '/account/email/confirm' })
  })

  router.post('/account/email/confirm', async (req, res) => {
    const token = String(req.body?.token ?? '').slice(0, 200)
    const outcome = token ? await accounts.confirmEmail(token, requestContext(req)) : 'invalid'
    res.status(outcome === 'added' ? 200 : outcome === 'taken' ? 409 : 400).render('pages/account/emailConfirmed', { outcome })
  })

  router.post('/account/profile', signedIn, async (req, res) => {
    const user = await currentUser(req)
    const verified = new Set(user.verifiedFields)
    // Verified fields are not the person's to change: what was posted for them is ignored.
    const body = { ...(req.body as Record<string, unknown>) }
    for (const field of fields) if (verified.has(field)) body[field] = user[field] ?? undefined
    const values = { ...profileValues(user), ...Object.fromEntries(fields.map((f) => [f, String(body[f] ?? '')])) }
    const { data, errors } = checkForm(profileFields, profileMessages, body)
    if (!data) return renderProfile(res, user, values, errors as Record<string, TranslationKey>, 422)
    const changes: ProfileFields = {}
    for (const field of fields) (changes as Record<string, unknown>)[field] = data[field] ?? null
    try {
      await accounts.updateProfile(user.id, changes, requestContext(req))
    } catch (e) {
      if (!(e instanceof ProfileRejected)) throw e
      return renderProfile(res, user, values, { citizenId: `profile.error.citizenId.${e.problems.citizenId!}` as TranslationKey }, 422)
    }
    res.redirect(303, '/account/profile?saved=1')
  })

  async function renderBusinesses(req: Request, res: Response, errors: Record<string, TranslationKey> = {}, value = '', status = 200) {
    const user = await currentUser(req)
    res.set('Cache-Control', 'no-store')
    res.status(status).render('pages/account/businesses', {
      representations: await businesses.representations(user.id),
      canRepresent: user.verifiedFields.includes('citizenId'),
      actingFor: req.session.actingFor, errors, value,
    })
  }

  router.get('/account/businesses', allow('citizen'), (req, res) => renderBusinesses(req, res))

  router.post('/account/businesses', allow('citizen'), async (req, res) => {
    const code = String(req.body?.enterpriseCode ?? '').slice(0, 40)
    const outcome = await businesses.link(await currentUser(req), code, requestContext(req))
    if (!outcome.ok) return renderBusinesses(req, res, { enterpriseCode: linkMessages[outcome.reason] }, code, 422)
    res.redirect(303, '/account/businesses')
  })

  router.post('/account/businesses/:code/remove', allow('citizen'), async (req, res, next) => {
    const code = String(req.params['code'])
    if (!(await businesses.unlink(req.user!.id, code, requestContext(req)))) throw new HttpError(404, 'error.notFound.title')
    if (req.session.actingFor !== code) return res.redirect(303, '/account/businesses')
    delete req.session.actingFor
    delete req.session.actingForName
    regenerateSession(req, next, () => res.redirect(303, '/account/businesses'))
  })

  // Acting for a business changes what the person may do: a new session id, and an
  // audit entry naming both the person and the business.
  router.post('/account/acting-for', allow('citizen'), async (req, res, next) => {
    const user = await currentUser(req)
    const code = String(req.body?.enterpriseCode ?? '')
    if (code) {
      const business = await businesses.actingFor(user, code)
      if (!business) throw new HttpError(404, 'error.notFound.title')
      await businesses.startedActingFor(user, code, requestContext(req))
      req.session.actingFor = code
      req.session.actingForName = business.name
    } else {
      if (req.session.actingFor) await businesses.startedActingFor(user, null, requestContext(req))
      delete req.session.actingFor
      delete req.session.actingForName
    }
    regenerateSession(req, next, () => res.redirect(303, '/account/businesses'))
  })

  return router
}
