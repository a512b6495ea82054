import type { Request, RequestHandler } from 'express'
import { Router } from 'express'
import * as client from 'openid-client'
import { Strategy, type AuthenticateOptions } from 'openid-client/passport'
import type { Logger } from 'pino'
import type { AccountService } from '../domain/identity/accountService.js'
import { nationalClaims } from '../domain/identity/nationalIdentity.js'
import type { Authenticator } from '../web/setUpAuth.js'
import { requestContext, safeNext, signInAndRedirect } from '../web/requestContext.js'

export interface NationalSignInSettings {
  issuer: string
  clientId: string
  clientSecret: string
  /** absolute, built from PUBLIC_URL */
  callbackUrl: string
}

declare module 'express-session' {
  interface SessionData {
    /** where to go after national sign-in */
    nationalReturnTo?: string
    /** the signed-in person asked to link their national identity */
    nationalLink?: boolean
  }
}

const scope = 'openid profile phone national_id'
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * openid-client's strategy sends PKCE (S256) always, and state or nonce only when the
 * provider lacks PKCE. The national sign-in sends all three: each is kept in the session
 * and checked on the way back (state against the callback, nonce inside the ID token).
 */
class NationalStrategy extends Strategy {
  override authorizationRequestParams(req: Request, options: AuthenticateOptions): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options))
    params.set('state', client.randomState())
    params.set('nonce', client.randomNonce())
    return params
  }
}

class ClaimsRefused extends Error {}

/**
 * A provider that never answered (refused, timed out, no such host) is "unreachable";
 * one that answered with something the portal cannot use (another issuer name, not
 * JSON, an HTTP error) is "misconfigured": a setting to fix, not a wait.
 */
export function discoveryProblem(err: unknown): 'unreachable' | 'misconfigured' {
  const name = err instanceof Error ? err.name : ''
  if (name === 'TimeoutError' || name === 'AbortError') return 'unreachable'
  return err instanceof TypeError && /fetch failed/i.test(err.message) ? 'unreachable' : 'misconfigured'
}

/**
 * openid-client's strategy hands the callback only the user, never the verify
 * callback's info, so the level the provider vouched for travels with the user.
 */
type NationallyVerified = Express.User & { nationalLevel: number }
const verifiedAs = (id: string, level: number) => ({ id, nationalLevel: level }) as NationallyVerified

export function nationalAuthRoutes(deps: {
  settings: NationalSignInSettings | undefined
  accounts: AccountService
  authenticator: Authenticator
  logger: Logger
}): Router {
  const { settings, accounts, authenticator, logger } = deps
  const router = Router()
  let ready: Promise<void> | undefined

  // Discovery happens on first use, so the portal starts (and password sign-in works)
  // while the identity provider is down; a failure is retried on the next attempt.
  function strategy(s: NationalSignInSettings): Promise<void> {
    ready ??= (async () => {
      const issuer = new URL(s.issuer)
      const config = await client.discovery(issuer, s.clientId, s.clientSecret, undefined,
        loopbackHosts.has(issuer.hostname) ? { execute: [client.allowInsecureRequests], timeout: 5 } : { timeout: 5 })
      authenticator.use('national', new NationalStrategy({ config, scope, callbackURL: s.callbackUrl, sessionKey: 'oidc:national', passReqToCallback: true },
        (req, tokens, done) => {
          void (async () => {
            const idClaims = tokens.claims()
            if (!idClaims) throw new ClaimsRefused('no ID token')
            const userinfo = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)
            const parsed = nationalClaims.safeParse({ ...userinfo, sub: idClaims.sub })
            if (!parsed.success) throw new ClaimsRefused(parsed.error.issues.map((i) => i.path.join('.')).join(', '))
            const ctx = requestContext(req)
            if (req.session.nationalLink && req.user) {
              const result = await accounts.linkNational(req.user.id, parsed.data, ctx)
              return result === 'linked' ? done(null, verifiedAs(req.user.id, parsed.data.assurance_level))
                : done(null, false, { message: `link-${result}` })
            }
            const user = await accounts.signInNational(parsed.data, ctx)
            return done(null, verifiedAs(user.id, parsed.data.assurance_level))
          })().catch((err: unknown) => done(err))
        }))
    })().catch((err: unknown) => {
      ready = undefined
      throw err
    })
    return ready
  }

  /** Both ends of the flow need the provider's metadata: without it, a localized 503. */
  const providerReady: RequestHandler = async (_req, res, next) => {
    if (!settings) return res.status(503).render('pages/account/nationalUnavailable')
    try {
      await strategy(settings)
    } catch (err) {
      const problem = discoveryProblem(err)
      if (problem === 'unreachable') logger.warn({ err, issuer: settings.issuer }, 'national identity provider unreachable')
      else logger.error({ err, issuer: settings.issuer }, 'national identity provider answered, but its metadata does not match the settings (NATIONAL_ID_ISSUER?)')
      return res.status(503).render('pages/account/nationalUnavailable', { problem })
    }
    next()
  }

  router.get('/auth/national', providerReady, (req, res, next) => {
    req.session.nationalReturnTo = safeNext(req.query['next'])
    if (req.query['link'] !== '1') delete req.session.nationalLink
    // prompt=login: the provider asks who is there every time, as the national one does.
    authenticator.authenticate('national', { prompt: 'login' } as AuthenticateOptions)(req, res, next)
  })

  /** Starts linking the signed-in person's national identity (a form, so it needs the CSRF token). */
  router.post('/account/link-national', (req, res) => {
    if (!req.user) return res.redirect(303, '/account/sign-in')
    req.session.nationalLink = true
    res.redirect(303, '/auth/national?link=1&next=/account/profile')
  })

  router.get('/auth/national/callback', providerReady, (req, res, next) => {
    const returnTo = req.session.nationalReturnTo ?? '/account'
    const linking = Boolean(req.session.nationalLink)
    authenticator.authenticate('national', (err: unknown, user: NationallyVerified | false, info?: { message?: string }) => {
      delete req.session.nationalReturnTo
      delete req.session.nationalLink
      if (!err && user && !Number.isInteger(user.nationalLevel)) err = new Error('no assurance level with the signed-in person')
      if (err || !user) {
        const reason = err instanceof Error ? err.message : info?.message ?? 'refused'
        logger.warn({ err, reason }, 'national sign-in refused')
        accounts.nationalSignInFailed(reason, requestContext(req)).catch(next)
        const failure = info?.message?.startsWith('link-') ? `account.national.${info.message}` : 'account.national.failed'
        return res.status(400).render('pages/account/nationalFailed', { failure })
      }
      signInAndRedirect(req, res, next, user, { method: 'national', level: user.nationalLevel, to: linking ? '/account/profile?linked=1' : returnTo })
    })(req, res, next)
  })

  return router
}
