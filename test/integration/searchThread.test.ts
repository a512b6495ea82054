import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { pino } from 'pino'
import request from 'supertest'
import { createApp } from '../../server/app.js'
import { searchPageRenderer, type SearchQuery } from '../../server/web/searchPage.js'
import { startSearchThread, type SearchThread } from '../../server/search/searchThread.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let thread: SearchThread
let here: ReturnType<typeof searchPageRenderer>
const ctx = { ip: '127.0.0.1', requestId: 'test' }

const query = (q: string, more: Partial<SearchQuery> = {}): SearchQuery =>
  ({ q, lang: 'vi', page: 1, pageSize: 3, url: `/search?q=${encodeURIComponent(q)}`, ...more })
const text = async (page: Promise<{ body: Buffer }>) => (await page).body.toString('utf8')

before(async () => {
  portal = await createTestPortal()
  here = searchPageRenderer(portal.services.catalogue, { cache: true })
  thread = await startSearchThread({ database: portal.database.options, cacheSeconds: 0, cacheTemplates: true }, here, pino({ level: 'silent' }))
  portal.services.catalogue.onChange(() => thread.forget())
})
after(async () => {
  await thread.stop()
  await portal.close()
})

describe('the search thread', () => {
  it('finds and renders the same page as the web thread: hits, pages, languages, filters, nothing found', async () => {
    const queries = [
      query('dang ky khai sinh'),
      query('dang ky', { page: 2, url: '/search?q=dang+ky&page=2' }),
      query('passport', { lang: 'en' }),
      query('permis de conduire', { lang: 'fr' }),
      query('giay', { agency: 'cong-an-cap-xa' }),
      query('dang ki ket hon'),
      query('khai sinhh'),
      query(''),
    ]
    for (const q of queries) assert.deepEqual(await thread.page(q), await here(q), `${q.q} (${q.lang}, page ${q.page})`)
    assert.match(await text(thread.page(query('dang ky khai sinh'))), /href="\/services\/dang-ky-khai-sinh"/)
    assert.match(await text(thread.page(query('dang ky', { page: 2, url: '/search?q=dang+ky&page=2' }))), /rel="prev" href="\/search\?q=dang\+ky&amp;page=1"/)
  })

  it('serves the search page without a session: byte for byte the page the web thread renders; with one, the web thread renders it', async () => {
    let asked = 0
    const threaded = createApp({ ...portal.appDeps, searchPage: (q) => { asked++; return thread.page(q) } })
    const paths = ['/search?q=ho+chieu', '/search?q=passport&lang=en', '/search?q=dang+ky&page=2&lang=fr', '/search?q=qwzx+plkj', '/search']
    for (const path of paths) {
      const [there, ours] = [await request(threaded).get(path).expect(200), await request(portal.app).get(path).expect(200)]
      assert.equal(there.text, ours.text, path)
      assert.equal(there.headers['etag'], ours.headers['etag'], path)
    }
    assert.equal(asked, paths.length)
    // With a session (a form in progress, or signed in) the page is the web thread's.
    const withSession = await request(threaded).get('/account/sign-in').expect(200)
    const cookie = withSession.headers['set-cookie']!
    const [there, ours] = [await request(threaded).get('/search?q=ho+chieu').set('Cookie', cookie).expect(200), await request(portal.app).get('/search?q=ho+chieu').expect(200)]
    assert.equal(asked, paths.length)
    assert.match(there.text, /href="\/services\/cap-ho-chieu/)
    assert.equal(there.text.replace(/<input type="hidden"[^>]*>/g, ''), ours.text.replace(/<input type="hidden"[^>]*>/g, ''))
  })

  it('forgets a suspended service at once when told the catalogue changed', async () => {
    const found = async () => (await text(thread.page(query('dang ky khai sinh')))).includes('/services/dang-ky-khai-sinh"')
    assert.equal(await found(), true)
    const registration = portal.services.agencies.services
    await registration.setStatus(null, 'dang-ky-khai-sinh', 'suspended', 'test', ctx)
    try {
      assert.equal(await found(), false, 'a suspended service is no longer found')
    } finally {
      await registration.setStatus(null, 'dang-ky-khai-sinh', 'active', 'test', ctx)
    }
    assert.equal(await found(), true)
  })

  it('says so when it cannot start, so that the web thread keeps the searches', async () => {
    await assert.rejects(startSearchThread({ database: { dataDir: '/nonexistent/portal' }, cacheSeconds: 0, cacheTemplates: true }, here, pino({ level: 'silent' })))
  })

  it('leaves the searches to the web thread once it has stopped', async () => {
    const other = await startSearchThread({ database: portal.database.options, cacheSeconds: 0, cacheTemplates: true }, here, pino({ level: 'silent' }))
    await other.stop()
    assert.deepEqual(await other.page(query('ho chieu')), await here(query('ho chieu')))
  })
})
