import { Router } from 'express'
import { idleMinutes } from '../web/setUpSession.js'
import { safeNext } from '../web/requestContext.js'

const warningSeconds = 120

/**
 * The idle-timeout pages. The warning is mounted before the session, so reading it does
 * not extend the session; "stay signed in" is a link back, which does. The signed-out
 * page comes after the session: if another tab kept the session alive, it sends the
 * person back where they were.
 */
export const sessionNoticeRoutes = {
  warning: Router().get('/account/session-warning', (req, res) => {
    res.set('Cache-Control', 'no-store')
    res.render('pages/account/sessionWarning', { secondsLeft: warningSeconds, next: safeNext(req.query['next']) })
  }),
  timedOut: Router().get('/account/timed-out', (req, res) => {
    res.set('Cache-Control', 'no-store')
    if (req.user) return res.redirect(303, safeNext(req.query['next']))
    res.render('pages/account/timedOut', { idleMinutes })
  }),
}
