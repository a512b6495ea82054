import { Router, type NextFunction, type Request, type Response } from 'express'
import { z } from 'zod'
import type { ProfileFields, UserRow } from '../db/identityRepository.js'
import { ProfileRejected, verifiedFieldsOf, type AccountService } from '../domain/identity/accountService.js'
import type { BusinessService, LinkOutcome } from '../domain/identity/businessService.js'
import type { TranslationKey } from '../i18n/messages.js'
import { HttpError } from '../web/httpErrors.js'
import { allow } from '../web/setUpAuth.js'
import { checkForm } from '../web/validation.js'
import { requestContext } from './signIn.js'

const blankAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsUndefined, schema.optional())
const digitsOnly = (value: unknown) => (typeof value === 'string' ? value.replace(/[\s.-]/g, '') : value)
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
// Form field → column.
const columns = { fullName: 'full_name', birthdate: 'birthdate', gender: 'gender', citizenId: 'citizen_id', address: 'address', phone: 'phone' } as const

const linkMessages: Record<Exclude<LinkOutcome, { ok: true }>['reason'], TranslationKey> = {
  format: 'business.error.format',
  checkDigit: 'business.error.checkDigit',
  notFound: 'business.error.notFound',
  inactive: 'business.error.inactive',
  notRepresentative: 'business.error.notRepresentative',
  unverified: 'business.error.unverified',
}

function profileValues(user: UserRow): Record<keyof typeof columns, string> {
  return Object.fromEntries(Object.entries(columns).map(([field, column]) => [field, user[column] ?? ''])) as Record<keyof typeof columns, string>
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
  const signedIn = allow('citizen', 'officer', 'auditor', 'admin')

  async function currentUser(req: Request): Promise<UserRow> {
    const user = await accounts.findUser(req.user!.id)
    if (!user) throw new HttpError(404, 'error.notFound.title')
    return user
  }

  function renderProfile(res: Response, user: UserRow, values: Record<string, string>, errors: Record<string, TranslationKey>, status = 200) {
    res.set('Cache-Control', 'no-store')
    res.status(status).render('pages/account/profile', {
      profile: user, values, errors, verified: new Set(verifiedFieldsOf(user)), saved: false, linked: false,
    })
  }

  router.get('/account/profile', signedIn, async (req, res) => {
    const user = await currentUser(req)
    res.set('Cache-Control', 'no-store')
    res.render('pages/account/profile', {
      profile: user, values: profileValues(user), errors: {}, verified: new Set(verifiedFieldsOf(user)),
      saved: req.query['saved'] === '1', linked: req.query['linked'] === '1',
    })
  })

  router.post('/account/profile', signedIn, async (req, res) => {
    const user = await currentUser(req)
    const verified = new Set(verifiedFieldsOf(user))
    // Verified fields are not the person's to change: what was posted for them is ignored.
    const body = { ...(req.body as Record<string, unknown>) }
    for (const [field, column] of Object.entries(columns)) if (verified.has(column)) body[field] = user[column] ?? undefined
    const values = { ...profileValues(user), ...Object.fromEntries(Object.keys(columns).map((f) => [f, String(body[f] ?? '')])) }
    const { data, errors } = checkForm(profileFields, profileMessages, body)
    if (!data) return renderProfile(res, user, values, errors as Record<string, TranslationKey>, 422)
    const changes: ProfileFields = {}
    for (const [field, column] of Object.entries(columns) as Array<[keyof typeof columns, (typeof columns)[keyof typeof columns]]>) {
      (changes as Record<string, unknown>)[column] = data[field] ?? null
    }
    try {
      await accounts.updateProfile(user.id, changes, requestContext(req))
    } catch (e) {
      if (!(e instanceof ProfileRejected)) throw e
      return renderProfile(res, user, values, { citizenId: `profile.error.citizenId.${e.problems.citizen_id!}` as TranslationKey }, 422)
    }
    res.redirect(303, '/account/profile?saved=1')
  })

  async function renderBusinesses(req: Request, res: Response, errors: Record<string, TranslationKey> = {}, value = '', status = 200) {
    const user = await currentUser(req)
    res.set('Cache-Control', 'no-store')
    res.status(status).render('pages/account/businesses', {
      representations: await businesses.representations(user.id),
      canRepresent: verifiedFieldsOf(user).includes('citizen_id'),
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
