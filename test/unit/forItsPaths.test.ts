import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import express, { Router } from 'express'
import request from 'supertest'
import { forItsPaths } from '../../server/web/forItsPaths.js'

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
