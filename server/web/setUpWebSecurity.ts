import { randomBytes } from 'node:crypto'
import type { RequestHandler } from 'express'
import helmet from 'helmet'
import { inOrder } from './inOrder.js'

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

// Nothing the portal does needs a camera, a microphone, the location or payment.
const permissionsPolicy = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()'

/**
 * The headers of answers that are not pages (assets, health checks), set before the
 * page headers exist: a fixed list, so serving a file costs no nonce and no Helmet.
 */
export function setUpStaticSecurityHeaders(): RequestHandler {
  const headers: Array<[string, string]> = [
    ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Permissions-Policy', permissionsPolicy],
    ['Referrer-Policy', 'same-origin'],
    ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
  ]
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value)
    next()
  }
}

// The one place for security headers. A fresh nonce per request lets a page carry an
// inline script or style only when the server put it there. One layer (inOrder.ts).
export function setUpWebSecurity(production: boolean, options: { formTargets?: string[] } = {}): RequestHandler {
  const nonceAndPermissions: RequestHandler = (_req, res, next) => {
    res.locals['cspNonce'] = newNonce()
    res.setHeader('Permissions-Policy', permissionsPolicy)
    next()
  }
  const nonce = (_req: unknown, res: unknown) => `'nonce-${(res as { locals: { cspNonce: string } }).locals.cspNonce}'`
  return inOrder([nonceAndPermissions, helmet({
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
  })])
}

/** For pages of personal data (the staff areas): never stored by a browser or proxy. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store')
  next()
}
