import { Router, type Request, type Response } from 'express'
import { ipKeyGenerator, type Store } from 'express-rate-limit'
import { Strategy as LocalStrategy } from 'passport-local'
import { z } from 'zod'
import type { AccountService } from '../domain/identity/accountService.js'
import { PasswordRejected } from '../domain/identity/accountService.js'
import { maxPasswordLength, minPasswordLength } from '../domain/identity/passwords.js'
import { emailTexts } from '../i18n/emailTexts.js'
import type { TranslationKey } from '../i18n/messages.js'
import { allow, type Authenticator } from '../web/setUpAuth.js'
import { limiter } from '../web/rateLimit.js'
import { checkForm } from '../web/validation.js'
import { assuranceOf, requestContext, safeNext, signInAndRedirect } from '../web/requestContext.js'

// Each field's check and the message shown by it; all failing fields are reported at once.
const registerFields = {
  fullName: z.string().trim().min(1).max(200),
  email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
  password: z.string().min(minPasswordLength).max(maxPasswordLength),
}
const registerMessages: Record<keyof typeof registerFields, TranslationKey> = {
  fullName: 'account.error.fullName',
  email: 'account.error.email',
  password: 'account.error.passwordTooShort',
}
const signInFields = { email: z.string().trim().toLowerCase().pipe(z.email().max(254)), password: z.string().min(1).max(1024) }
const signInMessages: Record<keyof typeof signInFields, TranslationKey> = {
  email: 'account.error.email',
  password: 'account.error.passwordMissing',
}

const emailOf = (req: Request) => String((req.body as Record<string, unknown> | undefined)?.['email'] ?? '').trim().toLowerCase()

export interface AccountRouteDeps {
  accounts: AccountService
  authenticator: Authenticator
  rateLimitStore: (prefix: string) => Store
}

export function accountRoutes({ accounts, authenticator, rateLimitStore }: AccountRouteDeps): Router {
  const router = Router()
  authenticator.use(new LocalStrategy({ usernameField: 'email', passReqToCallback: true }, (req, email, password, done) => {
    accounts.signIn(email, password, requestContext(req))
      .then((result) => (result.ok ? done(null, { id: result.user.id } as Express.User) : done(null, false, { message: result.reason })), done)
  }))

  const signInByIp = limiter(rateLimitStore('sign-in-ip:'), { windowMinutes: 15, limit: 30 })
  // Counted per account and address: one source hammering an account is stopped, while
  // someone elsewhere who knows only the address cannot use up its owner's attempts (the
  // lockout covers guessing spread over many addresses; a reset link ends it).
  const signInByAccount = limiter(rateLimitStore('sign-in-account:'), {
    windowMinutes: 15, limit: 10,
    key: (req) => `${emailOf(req)} ${ipKeyGenerator(req.ip ?? '')}`,
  })
  const registerByIp = limiter(rateLimitStore('register-ip:'), { windowMinutes: 60, limit: 10 })

  router.get('/account/register', (_req, res) => {
    res.render('pages/account/register', { values: {}, errors: {} })
  })

  router.post('/account/register', registerByIp, async (req, res) => {
    const { data, errors } = checkForm(registerFields, registerMessages, req.body)
    const values = { fullName: req.body?.fullName ?? '', email: req.body?.email ?? '' }
    if (!data) return res.status(422).render('pages/account/register', { values, errors })
    try {
      await accounts.register(data, emailTexts(res.locals.t), requestContext(req))
    } catch (e) {
      if (!(e instanceof PasswordRejected)) throw e
      const key: TranslationKey = e.problem === 'common' ? 'account.error.passwordCommon' : 'account.error.passwordTooShort'
      return res.status(422).render('pages/account/register', { values, errors: { password: key } })
    }
    res.redirect(303, '/account/check-email')
  })

  router.get('/account/check-email', (_req, res) => res.render('pages/account/checkEmail'))

  // The link in the email opens a page with a button: mail scanners that fetch links
  // must not use up the token.
  router.get('/account/verify', (req, res) => {
    res.render('pages/account/verify', { token: typeof req.query['token'] === 'string' ? req.query['token'] : '' })
  })

  router.post('/account/verify', async (req, res) => {
    const token = String(req.body?.token ?? '')
    const ok = token.length > 0 && token.length < 200 && await accounts.verifyEmail(token, requestContext(req))
    res.status(ok ? 200 : 400).render('pages/account/verified', { ok })
  })

  router.get('/account/sign-in', (req, res) => {
    res.render('pages/account/signIn', { values: {}, errors: {}, failure: req.query['expired'] ? 'account.expired' : undefined, next: safeNext(req.query['next']) })
  })

  router.post('/account/sign-in', signInByIp, signInByAccount, (req, res, next) => {
    const nextPath = safeNext(req.body?.next)
    const values = { email: req.body?.email ?? '' }
    const { errors } = checkForm(signInFields, signInMessages, req.body)
    if (errors) return res.status(422).render('pages/account/signIn', { values, errors, next: nextPath })
    authenticator.authenticate('local', (err: unknown, user: Express.User | false, info?: { message?: string }) => {
      if (err) return next(err)
      if (!user) {
        const failure: TranslationKey = info?.message === 'unverified' ? 'account.error.unverified' : 'account.error.signIn'
        return res.status(401).render('pages/account/signIn', { values, errors: {}, failure, next: nextPath })
      }
      signInAndRedirect(req, res, next, user, { method: 'password', level: 0, to: nextPath })
    })(req, res, next)
  })

  router.post('/account/sign-out', async (req: Request, res: Response, next) => {
    const user = req.user
    req.logout((err) => {
      if (err) return next(err)
      req.session.destroy(() => {
        if (user) accounts.signedOut(user.id, requestContext(req)).catch(next)
        res.redirect(303, '/')
      })
    })
  })

  const resetByIp = limiter(rateLimitStore('reset-ip:'), { windowMinutes: 60, limit: 10 })
  // Over the limit no more emails go to the address, but the answer stays the same: the
  // owner already has the links sent (each valid 60 minutes), and a stranger asking again
  // must not be able to show them a refusal.
  const resetByAccount = limiter(rateLimitStore('reset-account:'), {
    windowMinutes: 60, limit: 3, key: emailOf,
    onLimit: (_req, res) => res.redirect(303, '/account/reset/sent'),
  })

  router.get('/account/reset', (_req, res) => res.render('pages/account/reset', { values: {}, errors: {} }))

  // The same answer whether or not the address has an account.
  router.post('/account/reset', resetByIp, resetByAccount, async (req, res) => {
    const { data, errors } = checkForm({ email: signInFields.email }, { email: 'account.error.email' }, req.body)
    if (!data) return res.status(422).render('pages/account/reset', { values: { email: req.body?.email ?? '' }, errors })
    await accounts.requestPasswordReset(data.email, emailTexts(res.locals.t), requestContext(req))
    res.redirect(303, '/account/reset/sent')
  })

  router.get('/account/reset/sent', (_req, res) => res.render('pages/account/resetSent'))

  router.get('/account/reset/confirm', (req, res) => {
    res.render('pages/account/resetConfirm', { token: typeof req.query['token'] === 'string' ? req.query['token'] : '', errors: {} })
  })

  router.post('/account/reset/confirm', async (req, res) => {
    const token = String(req.body?.token ?? '').slice(0, 200)
    const { data, errors } = checkForm({ password: registerFields.password }, { password: 'account.error.passwordTooShort' }, req.body)
    if (!data) return res.status(422).render('pages/account/resetConfirm', { token, errors })
    let ok: boolean
    try {
      ok = await accounts.resetPassword(token, data.password, requestContext(req))
    } catch (e) {
      if (!(e instanceof PasswordRejected)) throw e
      return res.status(422).render('pages/account/resetConfirm', { token, errors: { password: 'account.error.passwordCommon' } })
    }
    res.status(ok ? 200 : 400).render('pages/account/resetDone', { ok })
  })

  router.get('/account', allow('citizen', 'officer', 'agency_admin', 'auditor', 'admin'), async (req, res) => {
    res.set('Cache-Control', 'no-store')
    const how = req.session.authMethod === 'national'
      ? res.locals.t('account.history.national', { level: assuranceOf(req) })
      : res.locals.t('account.history.password')
    res.render('pages/account/account', { history: await accounts.history(req.user!.id), signedInWith: how })
  })

  return router
}
