import { Router, type Request, type Response } from 'express'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { published, smallestPublished, type Estimate, type PublishedScope } from '../domain/statistics/figures.js'
import { indexGroups, unmeasured } from '../domain/statistics/serviceIndex.js'
import type { ScopeView, Statistics } from '../domain/statistics/statisticsService.js'
import { groupedBars } from '../web/charts.js'
import { csvCell, writeChunk as write } from '../web/csv.js'
import { csvColumns } from '../web/statisticsCsv.js'
import { notFound } from '../web/httpErrors.js'
import type { PageCache } from '../web/pageCache.js'

export interface StatisticsRouteDeps {
  statistics: Statistics
  catalogue: CatalogueService
  /** the rendered pages, kept until the next snapshot (the caller clears it then, and when the catalogue changes) */
  pages: PageCache
  publicUrl: string
}

/** The two charts of a scope: applications per month, and working days to a decision. */
function charts(res: Response, figures: PublishedScope) {
  const t = res.locals.t
  const labels = figures.months.map((m) => (res.locals['monthShort'] as (m: string) => string)(m.month))
  return {
    volume: groupedBars(labels, [
      { name: t('statistics.received'), values: figures.months.map((m) => m.received) },
      { name: t('statistics.decided'), values: figures.months.map((m) => m.decided) },
    ]),
    time: groupedBars(labels, [
      { name: t('statistics.p50'), values: figures.months.map((m) => m.processingDays.p50) },
      { name: t('statistics.p90'), values: figures.months.map((m) => m.processingDays.p90) },
    ]),
  }
}

function scopeJson(view: ScopeView) {
  return {
    computedAt: view.computedAt,
    suppressedBelow: smallestPublished,
    total: view.total,
    months: view.months,
    open: view.open,
    overdue: view.overdue,
    index: view.index.map((i) => ({ id: i.id, group: i.group, ...i.value })),
    notMeasured: unmeasured,
  }
}

/** The service page's estimate; the number of decisions under the estimate's minimum is suppressed like any count. */
const estimateJson = (e: Estimate) => ({ decisions: published(e.decisions), minimumDecisions: e.minimum, p50: e.p50, p90: e.p90 })

/** Open statistics: pages (cached like the catalogue's), CSV and JSON. Nothing personal. */
export function statisticsRoutes({ statistics, catalogue, pages, publicUrl }: StatisticsRouteDeps): Router {
  const router = Router()
  const common = { groups: indexGroups, unmeasured }
  // Every page and JSON answer is a function of the snapshot: made once per snapshot (and
  // language), kept in the page cache given, whose hits the caller answers (before the
  // per-request headers, server/app.ts) and which it clears with each new snapshot.
  const sendJson = (req: Request, res: Response, load: () => Promise<object | undefined>) => pages.json(req, res, async () => {
    const value = await load()
    if (!value) throw notFound()
    return value
  })

  router.get('/statistics', async (req, res) => {
    res.locals['routeName'] = 'statistics'
    await pages.render(req, res, 'pages/statistics/scope', async () => {
      const [stats, agencies] = await Promise.all([statistics.portal(), catalogue.agencies()])
      const names = new Map(agencies.map((a) => [a.id, a.name]))
      const rows = stats.agencies.filter((a) => names.has(a.id)).map((a) => ({ ...a, name: names.get(a.id)! }))
      return { ...common, kind: 'portal', stats, agencies: rows, charts: charts(res, stats) }
    })
  })

  router.get('/statistics/agencies/:id', async (req, res) => {
    res.locals['routeName'] = 'statistics.agency'
    await pages.render(req, res, 'pages/statistics/scope', async () => {
      const [agency, stats] = await Promise.all([catalogue.agency(req.params.id), statistics.agency(req.params.id)])
      if (!agency || !stats) throw notFound()
      return { ...common, kind: 'agency', agency, stats, charts: charts(res, stats) }
    })
  })

  router.get('/statistics/services/:id', async (req, res) => {
    res.locals['routeName'] = 'statistics.service'
    await pages.render(req, res, 'pages/statistics/scope', async () => {
      const [service, stats] = await Promise.all([catalogue.service(req.params.id), statistics.service(req.params.id)])
      if (!service || !stats) throw notFound()
      return { ...common, kind: 'service', service, stats, estimate: await statistics.estimate(service.id), charts: charts(res, stats) }
    })
  })

  const csv = async (_req: Request, res: Response) => {
    res.locals['routeName'] = 'statistics.csv'
    const { scopes, computedAt } = await statistics.everyScope()
    res.type('text/csv; charset=utf-8').attachment('thong-ke.csv').set('Last-Modified', new Date(computedAt).toUTCString())
    await write(res, `\uFEFF${['scope', 'id', 'month', ...csvColumns.map(([name]) => name)].join(',')}\r\n`)
    for (const { kind, id, figures } of scopes) {
      for (const [month, tally] of [...figures.months.map((m) => [m.month, m] as const), ['total', figures.total] as const]) {
        await write(res, `${[kind, id, month].map(csvCell).join(',')},${csvColumns.map(([, get]) => csvCell(get(tally))).join(',')}\r\n`)
      }
    }
    res.end()
  }
  router.get('/statistics.csv', csv)
  router.get('/api/v1/statistics.csv', csv)

  router.get('/api/v1/statistics', async (req, res) => {
    res.locals['routeName'] = 'api.statistics'
    await sendJson(req, res, async () => {
      const stats = await statistics.portal()
      return {
        ...scopeJson(stats),
        agencies: stats.agencies.map((a) => ({ id: a.id, received: a.received, url: `${publicUrl}/api/v1/statistics/agencies/${a.id}` })),
      }
    })
  })

  router.get('/api/v1/statistics/agencies/:id', async (req, res) => {
    res.locals['routeName'] = 'api.statistics.agency'
    await sendJson(req, res, async () => {
      const stats = await statistics.agency(req.params.id)
      return stats && { agency: req.params.id, ...scopeJson(stats) }
    })
  })

  router.get('/api/v1/statistics/services/:id', async (req, res) => {
    res.locals['routeName'] = 'api.statistics.service'
    await sendJson(req, res, async () => {
      const stats = await statistics.service(req.params.id)
      return stats && { service: req.params.id, ...scopeJson(stats), estimate: estimateJson(await statistics.estimate(req.params.id)) }
    })
  })

  return router
}
