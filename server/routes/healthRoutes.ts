import { Router } from 'express'

export interface Health {
  /** false while shutting down or when the database does not answer */
  ready(): Promise<boolean>
}

export function healthRoutes(health: Health): Router {
  const router = Router()
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' })
  })
  router.get('/readyz', async (_req, res) => {
    const ready = await health.ready()
    res.set('Cache-Control', 'no-store').status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable' })
  })
  return router
}
