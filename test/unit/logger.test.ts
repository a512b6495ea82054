import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'
import express from 'express'
import request from 'supertest'
import { createLogger, createRequestLogger } from '../../server/logger.js'

function capture(level = 'debug') {
  const lines: Array<Record<string, any>> = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    },
  })
  return { lines, logger: createLogger(level, stream) }
}

describe('logging', () => {
  it('redacts secrets and personal data wherever code logs them', () => {
    const { lines, logger } = capture()
    logger.info({
      password: 'hunter2hunter2', citizenId: '001203012345', email: 'a@b.vn',
      form: { answers: { name: 'Nguyễn Văn A' } }, user: { phone: '0912345678', id: 7 }, claims: { birthdate: '1990-01-02' },
      headers: { cookie: 'sid=abc' },
    }, 'x')
    const line = lines[0]!
    assert.equal(line['password'], '[redacted]')
    assert.equal(line['citizenId'], '[redacted]')
    assert.equal(line['email'], '[redacted]')
    assert.equal(line['user'].id, 7, 'what is not personal stays')
    assert.doesNotMatch(JSON.stringify(line), /hunter2|001203012345|Nguyễn|0912345678|1990-01-02|sid=abc/)
  })

  it('writes one flat line per request: id, method, path without query, status, route; no headers', async () => {
    const { lines, logger } = capture()
    const app = express()
    app.use(createRequestLogger(logger))
    app.get('/search', (_req, res) => { res.locals['routeName'] = 'search'; res.send('ok') })
    const res = await request(app).get('/search?q=001203012345').set('Cookie', 'sid=secret').set('Authorization', 'Bearer tok').expect(200)
    await new Promise((r) => setImmediate(r))
    const line = lines.find((l) => l['msg'] === 'request completed')!
    assert.equal(line['req'].id, res.headers['x-request-id'])
    assert.deepEqual(line['req'], { id: res.headers['x-request-id'], method: 'GET', path: '/search' })
    assert.equal(line['res'].status, 200)
    assert.equal(line['route'], 'search')
    assert.equal(typeof line['responseTime'], 'number')
    assert.doesNotMatch(JSON.stringify(lines), /001203012345|secret|Bearer/)
  })

  it('at the info level writes lines for failed requests only: the request log has every one', async () => {
    const { lines, logger } = capture('info')
    const app = express()
    app.use(createRequestLogger(logger))
    app.get('/ok', (_req, res) => { res.send('ok') })
    app.get('/broken', () => { throw new Error('boom') })
    await request(app).get('/ok').expect(200)
    await request(app).get('/missing').expect(404)
    await request(app).get('/broken').expect(500)
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(lines.filter((l) => l['req']).map((l) => [l['req'].path, l['res'].status, l['level']]), [['/missing', 404, 40], ['/broken', 500, 50]])
  })

  it("gives a route's own lines the request's id and path, and writes nothing below the level", async () => {
    const { lines, logger } = capture('info')
    const app = express()
    app.use(createRequestLogger(logger))
    app.get('/quiet', (req, res) => { req.log.debug({ detail: 1 }, 'not written'); req.log.info('written'); res.send('ok') })
    app.get('/warns', (req, res) => { req.log.warn({ code: 7 }, 'own warning'); res.send('ok') })
    const quiet = await request(app).get('/quiet?x=1').expect(200)
    const warns = await request(app).get('/warns').expect(200)
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(lines.map((l) => l['msg']), ['written', 'own warning'])
    assert.deepEqual(lines[0]!['req'], { id: quiet.headers['x-request-id'], method: 'GET', path: '/quiet' })
    assert.deepEqual(lines[1]!['req'], { id: warns.headers['x-request-id'], method: 'GET', path: '/warns' })
    assert.equal(lines[1]!['code'], 7)
    assert.equal(lines[1]!['level'], 40)
  })
})
