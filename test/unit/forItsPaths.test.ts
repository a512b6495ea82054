import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import express, { Router } from 'express'
import request from 'supertest'
import { forItsPaths, routersByPath } from '../../server/web/forItsPaths.js'

/** An app with one guarded router (counted each time it is entered) in front of a fallback. */
function appWith(router: Router, entered: string[]) {
  const app = express()
  app.use((_req, _res, next) => { entered.length = 0; next() })
  const counted = Object.assign((req: express.Request, res: express.Response, next: express.NextFunction) => {
    entered.push('router')
    router(req, res, next)
  }, { stack: router.stack }) as unknown as Router
  app.use(forItsPaths(counted))
  app.use((_req, res) => { res.status(404).send('fallback') })
  return app
}

describe('forItsPaths', () => {
  const entered: string[] = []
  const router = Router()
  router.use((_req, _res, next) => next()) // no path: the router could answer anything
  const guarded = Router()
  guarded.use(['/applications', '/status'], (req, _res, next) => { entered.push(req.originalUrl); next() })
  guarded.get('/', (_req, res) => { res.send('home') })
  guarded.get('/applications/:ref/check', (req, res) => { res.send(`check ${req.params['ref']}`) })
  guarded.post('/status', (_req, res) => { res.send('status') })

  it('passes the paths of the router to it, matched as Express matches them', async () => {
    const app = appWith(guarded, entered)
    assert.equal((await request(app).get('/applications/ABC/check')).text, 'check ABC')
    assert.deepEqual(entered, ['router', '/applications/ABC/check'])
    assert.equal((await request(app).get('/Applications/ABC/check/')).text, 'check ABC')
    assert.equal((await request(app).post('/status')).text, 'status')
    assert.equal((await request(app).get('/')).text, 'home')
  })

  it('skips the router for any other first segment', async () => {
    const app = appWith(guarded, entered)
    for (const path of ['/applicationsX', '/account/profile', '/services/x', '/app']) {
      const res = await request(app).get(path)
      assert.equal(res.status, 404, path)
      assert.equal(res.text, 'fallback')
      assert.deepEqual(entered, [], path)
    }
  })

  it('leaves a router that could answer any path as it is', () => {
    assert.equal(forItsPaths(router), router)
    const pattern = Router()
    pattern.get('/:lang/help', (_req, res) => { res.send('help') })
    assert.equal(forItsPaths(pattern), pattern)
  })
})

describe('routersByPath', () => {
  /** Routers that note each entry, in order: /a answers, /b passes, any path is noted and passed. */
  function routers(entered: string[]) {
    const a = Router()
    a.use('/a', (_req, _res, next) => { entered.push('a'); next() })
    a.get('/a/one', (_req, res) => { res.send('a one') })
    const anywhere = Router()
    anywhere.use((_req, _res, next) => { entered.push('anywhere'); next() })
    const b = Router()
    b.use('/a', (_req, _res, next) => { entered.push('b'); next('router') })
    b.get('/b/fail', () => { throw new Error('b failed') })
    b.get('/a/two', (_req, res) => { res.send('never: left with next("router")') })
    const c = Router()
    c.get('/a/two', (_req, res) => { res.send('c two') })
    c.get('/b/async', async () => { throw new Error('b rejected') })
    return [a, anywhere, b, c]
  }
  function appWith(entered: string[]) {
    const app = express()
    app.use((_req, _res, next) => { entered.length = 0; next() })
    app.use(routersByPath(routers(entered)))
    app.use((_req, res) => { res.status(404).send('fallback') })
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => { res.status(500).send(err.message) })
    return app
  }

  it('enters, in their order, the routers that can answer the first segment and those that answer any', async () => {
    const entered: string[] = []
    const app = appWith(entered)
    assert.equal((await request(app).get('/a/one')).text, 'a one')
    assert.deepEqual(entered, ['a'])
    // next('router') leaves b for the routers after it, as Express does between app.use() layers.
    assert.equal((await request(app).get('/A/two')).text, 'c two')
    assert.deepEqual(entered, ['a', 'anywhere', 'b'])
    const missing = await request(app).get('/elsewhere')
    assert.equal(missing.status, 404)
    assert.equal(missing.text, 'fallback')
    assert.deepEqual(entered, ['anywhere'])
  })

  it('hands an error, thrown or rejected, to the error handlers and enters no router after it', async () => {
    const entered: string[] = []
    const app = appWith(entered)
    const thrown = await request(app).get('/b/fail')
    assert.equal(thrown.status, 500)
    assert.equal(thrown.text, 'b failed')
    const rejected = await request(app).get('/b/async')
    assert.equal(rejected.status, 500)
    assert.equal(rejected.text, 'b rejected')
    assert.deepEqual(entered, ['anywhere'])
  })
})
