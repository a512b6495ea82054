import type { NextFunction, Request, Response } from 'express'
import { HttpError } from './httpErrors.js'
import type { RequestContext } from '../domain/identity/accountService.js'

/** Who did it and from where, for the audit trail. */
export function requestContext(req: Request): RequestContext {
  const device = req.get('user-agent')
  return { ip: req.ip, requestId: String(req.id), device: device ? device.slice(0, 200) : undefined }
}

/** Only a path on this site: never an absolute or protocol-relative URL. */
export function safeNext(value: unknown, fallback = '/account'): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : fallback
}

/**
 * Starts the signed-in session. req.login regenerates the session id, so an id fixed
 * before sign-in is worthless; the session remembers how the person signed in, which
 * decides what they may do (some services need the national identity at level 2).
 */
export function signInAndRedirect(req: Request, res: Response, next: NextFunction, user: Express.User,
  how: { method: 'password' | 'national', level: number, to: string }): void {
  req.login(user, (err) => {
    if (err) return next(err)
    req.session.signedInAt = Date.now()
    req.session.authMethod = how.method
    req.session.assuranceLevel = how.level
    res.redirect(303, how.to)
  })
}

/**
 * How strongly the session's person was identified: 0 for a password, 1 or 2 for the
 * national identity level. A signed-in session always records it; one that does not is
 * refused rather than given a level it never proved.
 */
export function assuranceOf(req: Request): number {
  const level = req.session.assuranceLevel
  if (!req.session.authMethod || !Number.isInteger(level)) throw new HttpError(401, 'error.forbidden.title', { key: 'account.expired' })
  return level!
}
