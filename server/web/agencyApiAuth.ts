import type { Request, RequestHandler, Response } from 'express'
import { rateLimit, type Store } from 'express-rate-limit'
import type { ApiKeys } from '../domain/agencies/apiKeys.js'
import type { ApiKey, Scope } from '../domain/agencies/model.js'
import type { TranslationKey } from '../i18n/messages.js'
import { HttpError } from './httpErrors.js'

const realm = 'Bearer realm="agency-api"'

const refusals: Record<string, TranslationKey> = {
  missing: 'problem.key.missing',
  malformed: 'problem.key.unknown',
  unknown: 'problem.key.unknown',
  revoked: 'problem.key.revoked',
  expired: 'problem.key.expired',
}

/** The key the request was authenticated with (after agencyApiAuth). */
export function apiKeyOf(res: Response): ApiKey {
  const key = res.locals['apiKey'] as ApiKey | undefined
  if (!key) throw new Error('apiKeyOf before agencyApiAuth')
  return key
}

/**
 * The Agency API's door: `Authorization: Bearer dvc_…`. A missing, unknown, revoked or
 * expired key is 401 with WWW-Authenticate (RFC 6750); a key used from an address outside
 * its allowlist is 403; each key has its own rate limit, counted in the portal database
 * so every instance shares it (429 with Retry-After).
 */
export function agencyApiAuth(keys: ApiKeys, store: Store, perMinute: number): RequestHandler[] {
  const authenticate: RequestHandler = async (req, res, next) => {
    // Every answer may carry a citizen's data, or say whose key failed: no browser or proxy keeps it.
    res.setHeader('Cache-Control', 'no-store')
    const header = req.get('authorization') ?? ''
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]
    const result = await keys.authenticate(token, req.ip ?? null)
    if (result.ok) {
      res.locals['apiKey'] = result.key
      return next()
    }
    if (result.status === 401) {
      res.set('WWW-Authenticate', result.reason === 'missing' ? realm : `${realm}, error="invalid_token"`)
      throw new HttpError(401, 'problem.unauthorized', { key: refusals[result.reason]! })
    }
    throw new HttpError(403, 'problem.forbidden', { key: 'problem.key.address' })
  }
  const limit = rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    store,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (_req: Request, res: Response) => apiKeyOf(res).id,
    handler: (req, res, next) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime
      res.set('Retry-After', String(Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000))))
      next(new HttpError(429, 'problem.tooMany', { key: 'problem.tooManyDetail', params: { limit: perMinute } }))
    },
  })
  return [authenticate, limit]
}

/** The scope a route needs; a key without it is 403. */
export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    if (!apiKeyOf(res).scopes.includes(scope)) throw new HttpError(403, 'problem.forbidden', { key: 'problem.key.scope', params: { scope } })
    next()
  }
}
