import { randomBytes } from 'node:crypto'
import express, { type Router } from 'express'
import helmet from 'helmet'

// The one place for security headers. A fresh nonce per request lets a page carry an
// inline script or style only when the server put it there.
export function setUpWebSecurity(production: boolean): Router {
  const router = express.Router()
  router.use((_req, res, next) => {
    res.locals['cspNonce'] = randomBytes(16).toString('base64')
    next()
  })
  const nonce = (_req: unknown, res: unknown) => `'nonce-${(res as { locals: { cspNonce: string } }).locals.cspNonce}'`
  router.use(helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'", nonce],
        styleSrc: ["'self'", nonce],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: production ? [] : null,
      },
    },
    strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    xFrameOptions: { action: 'deny' },
  }))
  return router
}
