// The portal's HTTP server makes requests and responses with room for what the
// middleware adds (server/web/httpServer.ts). Through the whole app, on its own server:
// every property a request or a response gains on its way is one declared there, and
// Express's getters (query, ip, protocol) still answer, not hidden by a declared one.
import assert from 'node:assert/strict'
import type http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { createHttpServer, PortalRequest } from '../../server/web/httpServer.js'
import { csrfFrom } from '../support/browserless.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let server: http.Server
let base: string
const gained = { request: new Set<string>(), response: new Set<string>() }
const seen: Array<{ ip: unknown, protocol: unknown, query: unknown }> = []

// Node's own (a count of listeners; a status written over its prototype's default), and
// the methods on-headers (under express-session) and the session's redirect wrap on the
// response they are given: not the middleware's data.
const notDeclared = { request: ['_eventsCount'], response: ['statusCode', 'statusMessage', 'writeHead', 'end', 'redirect'] }

before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
  server = createHttpServer(portal.app)
  // Before the app's own listener: what each request had when Node made it.
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const had = { request: new Set(Reflect.ownKeys(req)), response: new Set(Reflect.ownKeys(res)) }
    res.on('close', () => {
      for (const key of Reflect.ownKeys(req)) if (typeof key === 'string' && !had.request.has(key)) gained.request.add(key)
      for (const key of Reflect.ownKeys(res)) if (typeof key === 'string' && !had.response.has(key)) gained.response.add(key)
      const express = req as http.IncomingMessage & { ip?: unknown, protocol?: unknown, query?: unknown }
      seen.push({ ip: express.ip, protocol: express.protocol, query: { ...express.query as object } })
    })
  })
  server.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
  await portal.close()
})

describe('the portal HTTP server', () => {
  it('declares every property a request and its response gain through the app', async () => {
    const citizen = demoAccounts.find((a) => a.role === 'citizen')!
    const agent = request.agent(base)
    await agent.get('/').expect(200)
    await agent.get('/services/dang-ky-khai-sinh').expect(200)
    await agent.get('/search?q=khai+sinh').expect(200)
    await agent.get('/api/v1/services?q=ho+chieu').expect(200)
    await agent.get('/no-such-page').expect(404)
    const _csrf = await csrfFrom(agent, '/account/sign-in')
    await agent.post('/account/sign-in').set('X-Forwarded-For', '198.51.100.80').type('form')
      .send({ _csrf, email: citizen.email, password: citizen.password }).expect(303)
    await agent.get('/account/profile').expect(200)
    await agent.get('/applications').expect(200)
    // A form refused by the CSRF check: an error on the way, as well.
    await agent.post('/account/sign-out').type('form').send({ _csrf: 'wrong' }).expect(403)

    const undeclared = (kind: 'request' | 'response') => [...gained[kind]].filter((key) => !notDeclared[kind].includes(key))
    assert.deepEqual(undeclared('request'), [], 'declare these in PortalRequest')
    assert.deepEqual(undeclared('response'), [], 'declare these in PortalResponse')
  })

  it('leaves Express getters answering', async () => {
    seen.length = 0
    const page = await request(base).get('/?lang=en').set('X-Forwarded-For', '198.51.100.81').set('X-Forwarded-Proto', 'https').expect(200)
    assert.match(page.text, /<html lang="en">/)
    assert.deepEqual(seen.at(-1), { ip: '198.51.100.81', protocol: 'https', query: { lang: 'en' } })
    const declared = Object.keys(new PortalRequest(new (await import('node:net')).Socket()))
    for (const getter of ['query', 'ip', 'ips', 'path', 'protocol', 'secure', 'hostname', 'fresh', 'xhr']) assert.ok(!declared.includes(getter), getter)
    assert.ok(declared.includes('session') && declared.includes('user'))
  })
})
