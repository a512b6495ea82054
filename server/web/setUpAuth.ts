import type { Request, RequestHandler } from 'express'
import passport from 'passport'
import type { Role, User as Account } from '../domain/identity/model.js'
import type { AccountService } from '../domain/identity/accountService.js'
import { HttpError } from './httpErrors.js'
import { idleMinutes } from './setUpSession.js'

/** Seconds after a page loads when the idle-timeout warning is shown. */
export const sessionWarningAfter = (idleMinutes - 2) * 60

export interface SignedInUser {
  /** the whole account as loaded for this request, for routes that need more than the fields below */
  account: Account
  id: string
  email: string | null
  fullName: string | null
  role: string
  agencyId: string | null
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SignedInUser {}
  }
}

export type { Role }

/**
 * Passport keeps the user id in the session and loads the user on each request, so a
 * role change or a locked account takes effect at once. Strategies (password, national
 * sign-in) authenticate in the routes; this is only the session side.
 */
export type Authenticator = InstanceType<typeof passport.Passport>

export function createAuthenticator(accounts: AccountService, readWithSession?: (sessionId: string, userId: string) => Account | undefined): Authenticator {
  const authenticator = new passport.Passport()
  authenticator.serializeUser((user, done) => done(null, user.id))
  const signedIn = (account: Account | undefined): Express.User | false => (account ? {
    account, id: account.id, email: account.email, fullName: account.fullName, role: account.role, agencyId: account.agencyId,
  } : false)
  authenticator.deserializeUser((req: Request, id: string, done: (err: unknown, user?: Express.User | false) => void) => {
    // Read in the same statement as the session when the store can (server/db/sessionStore.ts).
    const account = readWithSession?.(req.sessionID, id)
    if (account) return done(null, signedIn(account))
    accounts.findUser(id).then((found) => done(null, signedIn(found)), done)
  })
  return authenticator
}

/** The session side of Passport; the routes add the strategies to the same instance. */
export function setUpAuth(authenticator: Authenticator): RequestHandler[] {
  return [
    authenticator.initialize(),
    authenticator.session(),
    (req, res, next) => {
      res.locals['user'] = req.user
      if (req.user) {
        // Whatever is shown to a signed-in person is theirs alone.
        res.set('Cache-Control', 'no-store')
        res.locals['userId'] = req.user.id
        res.locals['role'] = req.user.role
        res.locals['sessionWarningAfter'] = sessionWarningAfter
        res.locals['idleMinutes'] = idleMinutes
        res.locals['actingForName'] = req.session.actingForName
      }
      next()
    },
  ]
}

/** The roles a route allows; anyone else gets 403 (or the sign-in page when signed out). */
export function allow(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    if (!req.user) return res.redirect(303, `/account/sign-in?next=${encodeURIComponent(req.originalUrl)}`)
    if (!roles.includes(req.user.role as Role)) return next(new HttpError(403, 'error.forbidden.title', { key: 'error.forbidden.body' }))
    next()
  }
}
