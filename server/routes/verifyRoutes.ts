import { Router, type Response } from 'express'
import type { Results, Verification } from '../domain/results/resultService.js'

/**
 * Anyone checks a result document without signing in: by the code printed on it, or by
 * the signed token its QR code carries (/verify?t=…). The portal's public keys are at
 * /.well-known/jwks.json, so the token can also be checked without the portal. Each
 * check is counted on the document; nothing about who checked is kept (the request log
 * keeps neither the address nor the code of these requests: server/web/requestLog.ts).
 */
export function verifyRoutes(deps: { results: Results }): Router {
  const { results } = deps
  const router = Router()

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('application/jwk-set+json').send(JSON.stringify(results.jwks()))
  })

  const show = (res: Response, verification: Verification | undefined, code = '') => {
    res.set('Cache-Control', 'no-store')
    res.status(verification && verification.outcome !== 'genuine' && verification.outcome !== 'revoked' ? 404 : 200)
      .render('pages/verify/verify', { verification, code })
  }

  router.get('/verify', async (req, res) => {
    const token = typeof req.query['t'] === 'string' ? req.query['t'].slice(0, 4000) : ''
    const code = typeof req.query['code'] === 'string' ? req.query['code'].slice(0, 40) : ''
    if (token) return show(res, await results.byToken(token))
    if (code) return show(res, await results.byCode(code), code)
    show(res, undefined)
  })

  router.get('/verify/:code', async (req, res) => show(res, await results.byCode(String(req.params['code']).slice(0, 40)), String(req.params['code']).slice(0, 40)))

  return router
}
