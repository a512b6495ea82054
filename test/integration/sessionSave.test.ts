// A redirect after a change to the session is sent only once the session is saved: a
// browser follows a 303 as soon as its headers arrive, and express-session alone sends
// them before its save completes. With a store slowed down, the headers of the
// sign-in's redirect must come after the save, and the next request must be signed in.
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { DatabaseSessionStore } from '../../server/db/sessionStore.js'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let server: http.Server
let base: string
/** saves begun and not yet finished */
let pending = 0

before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
  const store = portal.services.sessionStore
  const set = store.set.bind(store)
  // Every save takes 300 ms, as a slow database round trip would.
  store.set = (sid, sess, callback) => {
    pending++
    setTimeout(() => set(sid, sess, (err) => {
      pending--
      callback?.(err)
    }), 300)
  }
  server = portal.app.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(async () => {
  await new Promise((r) => server.close(r))
  await portal.close()
})

/** A request whose answer is taken as a browser takes a redirect: at its headers. */
function headersOf(path: string, options: { method?: string, cookie?: string, body?: string } = {}) {
  return new Promise<{ status: number, savesPending: number, location?: string, cookies: string[], body: Promise<string> }>((resolve, reject) => {
    const req = http.request(`${base}${path}`, {
      method: options.method ?? 'GET',
      headers: { ...(options.cookie ? { cookie: options.cookie } : {}), ...(options.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    }, (res) => {
      const savesPending = pending
      const chunks: Buffer[] = []
      const body = new Promise<string>((done) => {
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => done(Buffer.concat(chunks).toString('utf8')))
      })
      resolve({ status: res.statusCode!, savesPending, location: res.headers.location, cookies: res.headers['set-cookie'] ?? [], body })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

const cookieOf = (cookies: string[]) => cookies.map((c) => c.split(';')[0]).join('; ')

describe('a redirect after the session changed', () => {
  it('is sent after the session is saved, so the page it leads to is signed in', async () => {
    const form = await headersOf('/account/sign-in')
    const cookie = cookieOf(form.cookies)
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.body)![1]!
    const account = demoAccounts.find((a) => a.role === 'citizen')!
    const body = new URLSearchParams({ _csrf: csrf, email: account.email, password: account.password }).toString()
    const signIn = await headersOf('/account/sign-in', { method: 'POST', cookie, body })
    assert.equal(signIn.status, 303)
    // The sign-in stores how the person signed in after passport's own save: when the
    // redirect's headers arrive, the stored session must already say so.
    const sid = decodeURIComponent(/sid=([^;]+)/.exec(cookieOf(signIn.cookies))![1]!).replace(/^s:/, '').replace(/\.[^.]*$/, '')
    const stored = await new Promise<{ authMethod?: string } | null | undefined>((resolve, reject) => {
      portal.services.sessionStore.get(sid, (err, sess) => (err ? reject(err) : resolve(sess)))
    })
    assert.equal(stored?.authMethod, 'password', `saved before the redirect's headers (${signIn.savesPending} saves still under way)`)
    // Followed at once, as a browser does.
    const next = await headersOf('/applications', { cookie: cookieOf(signIn.cookies) })
    assert.equal(next.status, 200)
  })
})

describe('the account of a session', () => {
  it('is read with the session, handed to Passport once, and never older than the request', async () => {
    const form = await headersOf('/account/sign-in')
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.body)![1]!
    const account = demoAccounts.find((a) => a.role === 'citizen')!
    const signIn = await headersOf('/account/sign-in', {
      method: 'POST', cookie: cookieOf(form.cookies), body: new URLSearchParams({ _csrf: csrf, email: account.email, password: account.password }).toString(),
    })
    const cookie = cookieOf(signIn.cookies)
    const sid = decodeURIComponent(/sid=([^;]+)/.exec(cookie)![1]!).replace(/^s:/, '').replace(/\.[^.]*$/, '')
    const store = portal.services.sessionStore
    const user = await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', account.email).executeTakeFirstOrThrow()
    await new Promise((resolve, reject) => store.get(sid, (err, sess) => (err ? reject(err) : resolve(sess))))
    assert.equal(store.userOf(sid, 'someone-else'), undefined, 'only for the account the session is signed in to')
    await new Promise((resolve, reject) => store.get(sid, (err, sess) => (err ? reject(err) : resolve(sess))))
    assert.equal(store.userOf(sid, user.id)?.email, account.email)
    assert.equal(store.userOf(sid, user.id), undefined, 'handed over once')

    // A change made between two requests shows on the second: nothing is kept across requests.
    await portal.database.handle.db.updateTable('users').set({ full_name: 'Tên Đổi Giữa Hai Lần Đọc' }).where('id', '=', user.id).execute()
    const profile = await headersOf('/account/profile', { cookie })
    assert.equal(profile.status, 200)
    assert.match(await profile.body, /Tên Đổi Giữa Hai Lần Đọc/)
    await portal.database.handle.db.updateTable('users').set({ role: 'officer', agency_id: 'cong-an-cap-xa' }).where('id', '=', user.id).execute()
    assert.equal((await headersOf('/applications', { cookie })).status, 403)
  })

  it('the store writes a session, writes it again in place, pushes its expiry forward and deletes it', async () => {
    const { db, dialect } = portal.database.handle
    const call = (fn: (done: (err?: unknown) => void) => void) => new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err as Error) : resolve())))
    const row = () => db.selectFrom('sessions').select(['data', 'expires_at']).where('sid', '=', 'store-test').executeTakeFirst()
    const store = portal.services.sessionStore
    const soon = new Date(Date.now() + 60_000)
    await call((done) => store.set('store-test', { cookie: { expires: soon, originalMaxAge: 60_000 }, statusCodes: { A: '1' } } as never, done))
    assert.deepEqual(JSON.parse((await row())!.data).statusCodes, { A: '1' })
    await call((done) => store.set('store-test', { cookie: { expires: soon, originalMaxAge: 60_000 }, statusCodes: { B: '2' } } as never, done))
    assert.deepEqual(JSON.parse((await row())!.data).statusCodes, { B: '2' })
    assert.equal(Number((await row())!.expires_at), soon.getTime())
    // Another instance, which has not written this session within the minute, pushes the expiry forward.
    const later = new Date(Date.now() + 3_600_000)
    const other = new DatabaseSessionStore(db, dialect)
    await call((done) => other.touch('store-test', { cookie: { expires: later, originalMaxAge: 3_600_000 } } as never, done))
    assert.equal(Number((await row())!.expires_at), later.getTime())
    assert.deepEqual(JSON.parse((await row())!.data).statusCodes, { B: '2' }, 'a touch leaves the data as it was')
    await call((done) => store.destroy('store-test', done))
    assert.equal(await row(), undefined)
  })
})
