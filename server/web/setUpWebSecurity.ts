import { randomBytes } from 'node:crypto'
import express, { type Router } from 'express'
import helmet from 'helmet'

const nonceBytes = 16
let pool = Buffer.alloc(0)
let offset = 0

/** 128 random bits, base64; drawn from a pool so the kernel is asked once per 256 nonces. */
export function newNonce(): string {
  if (offset + nonceBytes > pool.length) {
    pool = randomBytes(nonceBytes * 256)
    offset = 0
  }
  const nonce = pool.toString('base64', offset, offset + nonceBytes)
  offset += nonceBytes
  return nonce
}

// The one place for security headers. A fresh nonce per request lets a page carry an
// inline script or style only when the server put it there.
export function setUpWebSecurity(production: boolean, options: { formTargets?: string[] } = {}): Router {
  const router = express.Router()
  router.use((_req, res, next) => {
    res.locals['cspNonce'] = newNonce()
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
        // A form may lead (through redirects) to the national identity provider.
        formAction: ["'self'", ...(options.formTargets ?? [])],
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
