import { Router } from 'express'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { notFound } from '../web/httpErrors.js'
import type { PageCache } from '../web/pageCache.js'
import { parseCatalogueQuery, parsePageOnly } from '../web/catalogueQuery.js'
import type { Estimate } from '../domain/statistics/figures.js'
import type { SearchPage } from '../web/searchPage.js'

const pageSize = 20

/**
 * `estimate`: how long the service's recent decisions took (its page says so beside the
 * statutory time); `searchPage`: the search page of a visitor without a session, found
 * and rendered by the search thread (server/search/searchThread.ts).
 */
export function catalogueRoutes(
  catalogue: CatalogueService, pages: PageCache, searchPage?: SearchPage, estimate?: (serviceId: string) => Promise<Estimate>,
): Router {
  const router = Router()

  router.get('/', async (req, res) => {
    res.locals['routeName'] = 'home'
    await pages.render(req, res, 'pages/catalogue/home', () => catalogue.home())
  })

  router.get('/search', async (req, res) => {
    res.locals['routeName'] = 'search'
    const query = parseCatalogueQuery(req)
    const q = (query.q ?? '').trim()
    const asked = { q, lang: res.locals.lang, agency: query.agency, lifeEvent: query.category, page: query.page, pageSize }
    // The same page for every visitor without a session: the search thread's, when there is one.
    if (searchPage && pages.shared(req)) return pages.serve(req, res, () => searchPage({ ...asked, url: req.originalUrl }))
    await pages.render(req, res, 'pages/catalogue/search', async () => ({ q, result: await catalogue.find(asked) }))
  })

  // A cached page exists, so the record is read (and a 404 raised) only on a miss.
  router.get('/life-events/:id', async (req, res) => {
    res.locals['routeName'] = 'life-event'
    const { page } = parsePageOnly(req.query)
    await pages.render(req, res, 'pages/catalogue/lifeEvent', async () => {
      const lifeEvent = await catalogue.lifeEvent(req.params.id)
      if (!lifeEvent) throw notFound()
      return { lifeEvent, result: await catalogue.find({ lang: res.locals.lang, lifeEvent: lifeEvent.id, page, pageSize }) }
    })
  })

  router.get('/agencies/:id', async (req, res) => {
    res.locals['routeName'] = 'agency'
    const { page } = parsePageOnly(req.query)
    await pages.render(req, res, 'pages/catalogue/agency', async () => {
      const agency = await catalogue.agency(req.params.id)
      if (!agency) throw notFound()
      return { agency, result: await catalogue.find({ lang: res.locals.lang, agency: agency.id, page, pageSize }) }
    })
  })

  router.get('/services/:id', async (req, res) => {
    res.locals['routeName'] = 'service'
    await pages.render(req, res, 'pages/catalogue/service', async () => {
      const service = await catalogue.service(req.params.id)
      // A suspended or retired service is not offered; its applications keep their own pages.
      if (!service || service.status !== 'active') throw notFound()
      const lifeEvents = (await catalogue.lifeEvents()).filter((e) => service.lifeEvents.includes(e.id))
      const agencyWebsite = service.appliesOnline ? null : (await catalogue.agency(service.agency.id))?.website ?? null
      return { service, lifeEvents, agencyWebsite, estimate: estimate ? await estimate(service.id) : null }
    })
  })

  return router
}
