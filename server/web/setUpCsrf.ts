import type { Request, RequestHandler } from 'express'
import { csrfSync } from 'csrf-sync'
import { HttpError } from './httpErrors.js'

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

// A browser says where a request comes from; a cross-site form post is refused even
// before its token is checked.
function crossSite(req: Request): boolean {
  const site = req.get('sec-fetch-site')
  if (site && site !== 'same-origin' && site !== 'none') return true
  const origin = req.get('origin')
  return origin !== undefined && origin !== 'null' && origin !== `${req.protocol}://${req.get('host')}`
}

/**
 * CSRF protection for every state-changing form: the synchronizer token (csrf-sync,
 * kept in the session, sent back in the _csrf field) plus an Origin / Sec-Fetch-Site
 * check. Forms get the token from res.locals.csrfToken().
 */
export function setUpCsrf(options: { multipartPaths?: RegExp } = {}): { check: RequestHandler, checkAfterUpload: RequestHandler } {
  const { generateToken, csrfSynchronisedProtection } = csrfSync({
    getTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?.['_csrf'] as string | undefined,
  })
  const forbidden = () => new HttpError(403, 'error.forbidden.title', { key: 'error.csrf.body' })
  const verify: RequestHandler = (req, res, next) => csrfSynchronisedProtection(req, res, (err?: unknown) => next(err ? forbidden() : undefined))
  return {
    check: (req, res, next) => {
      // A page that carries a token is this session's own: no cache may keep it.
      res.locals['csrfToken'] = () => {
        res.set('Cache-Control', 'no-store')
        return generateToken(req)
      }
      if (!unsafe.has(req.method)) return next()
      if (crossSite(req)) return next(forbidden())
      // A file upload's token is in its multipart body, which only the upload route
      // parses: that route checks the token right after parsing (checkAfterUpload).
      // Anywhere else a multipart body has no readable token and is refused here.
      if (options.multipartPaths?.test(req.path) && req.is('multipart/form-data')) return next()
      verify(req, res, next)
    },
    checkAfterUpload: verify,
  }
}
