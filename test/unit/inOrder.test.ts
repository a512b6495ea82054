import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import express, { type RequestHandler } from 'express'
import request from 'supertest'
import { inOrder } from '../../server/web/inOrder.js'

/** An app whose one layer runs `handlers` in order, each noting its name, in front of a page and an error handler. */
function appWith(handlers: Array<[string, RequestHandler]>, ran: string[]) {
  const app = express()
  app.use((_req, _res, next) => { ran.length = 0; next() })
  app.use(inOrder(handlers.map(([name, handler]) => (req, res, next) => { ran.push(name); return handler(req, res, next) })))
  app.get('/', (_req, res) => { ran.push('page'); res.send(`page ${String(res.locals['seen'])}`) })
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => { res.status(500).send(err.message) })
  return app
}
const passes: RequestHandler = (_req, res, next) => { res.locals['seen'] = Number(res.locals['seen'] ?? 0) + 1; next() }

describe('inOrder', { timeout: 5_000 }, () => {
  it('runs every handler in its order, then the layers after it', async () => {
    const ran: string[] = []
    const app = appWith([['a', passes], ['b', passes], ['c', async (_req, _res, next) => { await Promise.resolve(); next() }], ['d', passes]], ran)
    assert.equal((await request(app).get('/')).text, 'page 3')
    assert.deepEqual(ran, ['a', 'b', 'c', 'd', 'page'])
  })

  it('answers from a handler without running the rest', async () => {
    const ran: string[] = []
    const app = appWith([['a', passes], ['answers', (_req, res) => { res.send('answered') }], ['b', passes]], ran)
    assert.equal((await request(app).get('/')).text, 'answered')
    assert.deepEqual(ran, ['a', 'answers'])
  })

  it('hands an error passed on, thrown or rejected to the error handlers, skipping the rest', async () => {
    for (const failing of [
      ((_req, _res, next) => next(new Error('passed on'))) as RequestHandler,
      (() => { throw new Error('thrown') }) as RequestHandler,
      (async () => { await Promise.resolve(); throw new Error('rejected') }) as RequestHandler,
    ]) {
      const ran: string[] = []
      const res = await request(appWith([['a', passes], ['fails', failing], ['b', passes]], ran)).get('/')
      assert.equal(res.status, 500)
      assert.match(res.text, /^(passed on|thrown|rejected)$/)
      assert.deepEqual(ran, ['a', 'fails'])
    }
  })

  it("goes on after next('route') and leaves the app's router after next('router')", async () => {
    const ran: string[] = []
    const routeApp = appWith([['route', (_req, _res, next) => next('route')], ['b', passes]], ran)
    assert.equal((await request(routeApp).get('/')).text, 'page 1')
    assert.deepEqual(ran, ['route', 'b', 'page'])
    const routerApp = appWith([['router', (_req, _res, next) => next('router')], ['b', passes]], ran)
    assert.equal((await request(routerApp).get('/')).status, 404)
    assert.deepEqual(ran, ['router'])
  })
})
