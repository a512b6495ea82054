import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { pino } from 'pino'
import request from 'supertest'
import { createApp } from '../../server/app.js'
import { searchRenderer, type SearchResultsQuery } from '../../server/web/searchResults.js'
import { startSearchThread, type SearchThread } from '../../server/search/searchThread.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let thread: SearchThread
let here: ReturnType<typeof searchRenderer>
const ctx = { ip: '127.0.0.1', requestId: 'test' }

const query = (q: string, more: Partial<SearchResultsQuery> = {}): SearchResultsQuery =>
  ({ q, lang: 'vi', page: 1, pageSize: 3, url: `/search?q=${encodeURIComponent(q)}`, ...more })

before(async () => {
  portal = await createTestPortal()
  here = searchRenderer(portal.services.catalogue, { cache: true })
  thread = await startSearchThread({ database: portal.database.options, cacheSeconds: 0, cacheTemplates: true }, here, pino({ level: 'silent' }))
  portal.services.catalogue.onChange(() => thread.forget())
})
after(async () => {
  await thread.stop()
  await portal.close()
})

describe('the search thread', () => {
  it('finds and renders the same results as the web thread: hits, pages, languages, filters, nothing found', async () => {
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
    for (const q of queries) {
      const [there, ours] = [await thread.results(q), await here.results(q)]
      assert.equal(there, ours, `${q.q} (${q.lang}, page ${q.page})`)
    }
    assert.match(await thread.results(query('dang ky khai sinh')), /href="\/services\/dang-ky-khai-sinh"/)
    assert.match(await thread.results(query('dang ky', { page: 2, url: '/search?q=dang+ky&page=2' })), /rel="prev" href="\/search\?q=dang\+ky&amp;page=1"/)
  })

  it('serves the search page: byte for byte the page the web thread renders, whole without a session, its results with one', async () => {
    const asked = { pages: 0, results: 0 }
    const counted = {
      page: (q: SearchResultsQuery) => { asked.pages++; return thread.page(q) },
      results: (q: SearchResultsQuery) => { asked.results++; return thread.results(q) },
    }
    const threaded = createApp({ ...portal.appDeps, search: counted })
    const paths = ['/search?q=ho+chieu', '/search?q=passport&lang=en', '/search?q=dang+ky&page=2&lang=fr', '/search?q=qwzx+plkj', '/search']
    for (const path of paths) {
      const [there, ours] = [await request(threaded).get(path).expect(200), await request(portal.app).get(path).expect(200)]
      assert.equal(there.text, ours.text, path)
      assert.equal(there.headers['etag'], ours.headers['etag'], path)
    }
    assert.deepEqual(asked, { pages: paths.length, results: 0 })
    // With a session (a form in progress, or signed in) the page around the results is the web thread's.
    const withSession = await request(threaded).get('/account/sign-in').expect(200)
    const cookie = withSession.headers['set-cookie']!
    const [there, ours] = [await request(threaded).get('/search?q=ho+chieu').set('Cookie', cookie).expect(200), await request(portal.app).get('/search?q=ho+chieu').expect(200)]
    assert.equal(asked.results, 1)
    assert.match(there.text, /href="\/services\/cap-ho-chieu/)
    assert.equal(there.text.replace(/<input type="hidden"[^>]*>/g, ''), ours.text.replace(/<input type="hidden"[^>]*>/g, ''))
  })

  it('forgets a suspended service at once when told the catalogue changed', async () => {
    const found = async () => (await thread.results(query('dang ky khai sinh'))).includes('/services/dang-ky-khai-sinh"')
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
    assert.equal(await other.results(query('ho chieu')), await here.results(query('ho chieu')))
    assert.deepEqual(await other.page(query('ho chieu')), await here.page(query('ho chieu')))
  })
})
