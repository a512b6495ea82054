import { Router } from 'express'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import type { Service, ServiceSummary } from '../domain/catalogue/types.js'
import { notFound } from '../web/httpErrors.js'
import { inputParser, rules } from '../web/validation.js'
import { catalogueQueryRules } from '../web/catalogueQuery.js'
import { openApiDocument } from '../web/openApiDocument.js'

const parseApiQuery = inputParser({ ...catalogueQueryRules, pageSize: rules.integer(1, 100, 20) })

// Links are built from PUBLIC_URL, never from the request's Host or X-Forwarded-Proto:
// a forged header must not put another site's address into open data.
export function serviceSummaryJson(publicUrl: string, s: ServiceSummary) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    agency: s.agency,
    feeVnd: s.feeVnd,
    processingDays: s.processingDays,
    onlineLevel: s.onlineLevel,
    appliesOnline: s.appliesOnline,
    applicants: s.applicants,
    url: `${publicUrl}/services/${s.id}`,
  }
}

export function serviceJson(publicUrl: string, s: Service) {
  return {
    ...serviceSummaryJson(publicUrl, s),
    code: s.code,
    documents: s.documents,
    feeNote: s.feeNote,
    lifeEvents: s.lifeEvents,
    legalBasis: s.legalBasis,
    sourceNote: s.sourceNote,
    updatedAt: s.updatedAt,
  }
}

/** Open data: the public catalogue as JSON. Errors are problem+json (setUpErrorHandling). */
export function apiRoutes(catalogue: CatalogueService, publicUrl: string): Router {
  const router = Router()

  // A relative server URL: the document never echoes the request's Host header.
  const document = openApiDocument('/api/v1')
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(document)
  })

  router.get('/api/v1/services', async (req, res) => {
    res.locals['routeName'] = 'api.services'
    const query = parseApiQuery(req.query)
    const result = await catalogue.find({
      q: query.q, lang: query.lang ?? res.locals.lang, agency: query.agency, lifeEvent: query.category,
      page: query.page, pageSize: query.pageSize,
    })
    res.json({
      items: result.items.map((s) => serviceSummaryJson(publicUrl, s)),
      total: result.total,
      page: result.page,
      pageSize: result.pageSize,
      ...(result.suggestion ? { suggestion: result.suggestion } : {}),
    })
  })

  router.get('/api/v1/services/:id', async (req, res) => {
    res.locals['routeName'] = 'api.service'
    const service = await catalogue.service(req.params.id)
    if (!service) throw notFound({ key: 'problem.serviceNotFound', params: { id: req.params.id } })
    res.json(serviceJson(publicUrl, service))
  })

  return router
}
