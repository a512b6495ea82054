import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { pino } from 'pino'
import request from 'supertest'
import { createApp } from '../../server/app.js'
import { searchResultsRenderer, type SearchResultsQuery } from '../../server/web/searchResults.js'
import { startSearchThread, type SearchThread } from '../../server/search/searchThread.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let thread: SearchThread
let here: ReturnType<typeof searchResultsRenderer>
const ctx = { ip: '127.0.0.1', requestId: 'test' }

const query = (q: string, more: Partial<SearchResultsQuery> = {}): SearchResultsQuery =>
  ({ q, lang: 'vi', page: 1, pageSize: 3, url: `/search?q=${encodeURIComponent(q)}`, ...more })

before(async () => {
  portal = await createTestPortal()
  here = searchResultsRenderer(portal.services.catalogue, { cache: true })
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
      const [there, ours] = [await thread.render(q), await here(q)]
      assert.equal(there, ours, `${q.q} (${q.lang}, page ${q.page})`)
    }
    assert.match(await thread.render(query('dang ky khai sinh')), /href="\/services\/dang-ky-khai-sinh"/)
    assert.match(await thread.render(query('dang ky', { page: 2, url: '/search?q=dang+ky&page=2' })), /rel="prev" href="\/search\?q=dang\+ky&amp;page=1"/)
  })

  it('serves the search page: the same page as the web thread renders', async () => {
    const threaded = createApp({ ...portal.appDeps, searchResults: thread.render })
    for (const path of ['/search?q=ho+chieu', '/search?q=passport&lang=en', '/search?q=qwzx+plkj', '/search']) {
      const [there, ours] = [await request(threaded).get(path).expect(200), await request(portal.app).get(path).expect(200)]
      assert.equal(there.text, ours.text, path)
    }
  })

  it('forgets a suspended service at once when told the catalogue changed', async () => {
    const found = async () => (await thread.render(query('dang ky khai sinh'))).includes('/services/dang-ky-khai-sinh"')
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

  it('leaves the searches to the web thread once it has stopped', async () => {
    const other = await startSearchThread({ database: portal.database.options, cacheSeconds: 0, cacheTemplates: true }, here, pino({ level: 'silent' }))
    await other.stop()
    assert.equal(await other.render(query('ho chieu')), await here(query('ho chieu')))
  })
})
