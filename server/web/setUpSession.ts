import type { RequestHandler } from 'express'
import session from 'express-session'

export const idleMinutes = 30
export const absoluteHours = 12

declare module 'express-session' {
  interface SessionData {
    /** when the person signed in, for the absolute timeout */
    signedInAt?: number
    /** how: a password, or the national identity provider */
    authMethod?: 'password' | 'national'
    /** 0 for a password; the national provider's level (1 or 2) otherwise */
    assuranceLevel?: number
    /** the enterprise code of the business the person is acting for */
    actingFor?: string
    actingForName?: string
    /** second codes for checking status, shown on the confirmation page of applications without a birthdate */
    statusCodes?: Record<string, string>
  }
}

export function sessionCookieName(production: boolean): string {
  // __Host-: only over HTTPS, no Domain, Path=/ — a sibling subdomain cannot set it.
  return production ? '__Host-sid' : 'sid'
}

/**
 * Sessions in the portal database, shared by every instance. A session is created only
 * when something is stored in it (a CSRF token, a sign-in). Idle timeout: the cookie
 * and the stored session expire idleMinutes after the last request (rolling).
 * Absolute timeout: absoluteHours after sign-in, whatever the activity.
 */
export function setUpSession(options: { production: boolean, secret: string, store: session.Store }): RequestHandler[] {
  return [
    session({
      name: sessionCookieName(options.production),
      secret: options.secret,
      store: options.store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      proxy: undefined,
      cookie: { httpOnly: true, sameSite: 'lax', secure: options.production, path: '/', maxAge: idleMinutes * 60_000 },
    }),
    // express-session sends the headers before its save of a changed session completes
    // (it holds back only the body's last byte), so a browser following a 303 at once
    // could be read the session as it was before: signed out just after signing in, or
    // without what the last page stored. On PostgreSQL, where a save is a round trip,
    // that happened. A redirect now waits for the save of a session it changed.
    (req, res, next) => {
      if (!req.session) return next()
      const before = JSON.stringify(req.session)
      const redirect = res.redirect.bind(res) as (...args: unknown[]) => void
      res.redirect = ((...args: unknown[]) => {
        if (!req.session || JSON.stringify(req.session) === before) return redirect(...args)
        req.session.save((err) => (err ? next(err) : redirect(...args)))
      }) as typeof res.redirect
      next()
    },
    (req, res, next) => {
      const signedInAt = req.session?.signedInAt
      if (signedInAt && Date.now() - signedInAt > absoluteHours * 3600_000) {
        req.session.destroy(() => res.redirect(303, '/account/sign-in?expired=1'))
        return
      }
      next()
    },
  ]
}
