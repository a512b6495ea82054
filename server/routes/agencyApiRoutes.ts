import { createHash } from 'node:crypto'
import express, { Router, type Request, type Response } from 'express'
import type { Store } from 'express-rate-limit'
import { z } from 'zod'
import type { ApiKeys } from '../domain/agencies/apiKeys.js'
import type { Endpoints } from '../domain/agencies/endpoints.js'
import { requestHash, validIdempotencyKey, type Answer, type Idempotency } from '../domain/agencies/idempotency.js'
import type { ApiKey } from '../domain/agencies/model.js'
import { IllegalTransition, type ApplicationService } from '../domain/applications/applicationService.js'
import { ServiceRefused, type ServiceRegistration, type ServiceVersion } from '../domain/catalogue/serviceRegistration.js'
import type { Service } from '../domain/catalogue/types.js'
import type { Results } from '../domain/results/resultService.js'
import type { Application } from '../domain/applications/model.js'
import { HttpError, invalidParams, notFound } from '../web/httpErrors.js'
import { apiKeyOf, agencyApiAuth, requireScope } from '../web/agencyApiAuth.js'
import { requestContext } from '../web/requestContext.js'
import { inputParser, rules } from '../web/validation.js'

export interface AgencyApiDeps {
  keys: ApiKeys
  services: ServiceRegistration
  endpoints: Endpoints
  applications: ApplicationService
  /** issues the result when the agency's system approves, or takes the agency's own */
  results: Results
  /** where people reach the portal, for the /verify link */
  publicUrl: string
  idempotency: Idempotency
  /** the per-key limit's shared count */
  rateLimitStore: (prefix: string) => Store
  perMinute: number
}

const listQuery = inputParser({
  status: rules.oneOf(['submitted', 'received', 'in_review', 'info_requested', 'approved', 'rejected', 'withdrawn'] as const),
  updatedSince: { schema: z.iso.datetime({ offset: true }).optional(), reason: { key: 'validation.dateTime' } },
  cursor: { schema: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/).optional(), reason: { key: 'validation.invalid' } },
  limit: rules.integer(1, 200, 50),
})
const eventBody = inputParser({
  status: rules.oneOf(['in_review', 'info_requested', 'approved', 'rejected'] as const),
  message: rules.text(2000),
  note: rules.text(2000),
})
const beforeQuery = inputParser({ before: rules.integer(1, Number.MAX_SAFE_INTEGER, 0), limit: rules.integer(1, 200, 50) })

const encodeCursor = (app: Application) => Buffer.from(JSON.stringify([app.updatedAt, app.id])).toString('base64url')
function decodeCursor(cursor: string): { updatedAt: string, id: string } {
  try {
    const [updatedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    if (typeof updatedAt === 'string' && typeof id === 'string') return { updatedAt, id }
  } catch { /* below */ }
  throw invalidParams([{ name: 'cursor', reason: { key: 'validation.invalid' } }])
}

/** Test keys check an integration without touching citizens' data: their writes are dry runs and they read no application. */
function liveOnly(key: ApiKey) {
  if (key.environment !== 'live') throw new HttpError(403, 'problem.forbidden', { key: 'problem.key.testData' })
}

const versionJson = (v: ServiceVersion) => ({
  version: v.version, state: v.state, createdAt: v.createdAt, updatedAt: v.updatedAt,
  submittedAt: v.submittedAt, reviewedAt: v.reviewedAt, reviewNote: v.reviewNote,
})
const inForce = (s: Service | undefined) => (s ? { version: s.version, status: s.status, origin: s.origin, updatedAt: s.updatedAt } : null)

/** A refused registration step as the API answers it: 404, 409 or 422 naming each field by its path. */
function serviceProblem(e: unknown): never {
  if (!(e instanceof ServiceRefused)) throw e
  if (e.reason === 'not-found') throw notFound()
  if (e.reason === 'invalid') {
    throw new HttpError(422, 'problem.invalidService', { key: 'problem.invalidParamsDetail', params: { fields: e.fields.map((f) => f.path).join(', ') } },
      e.fields.map((f) => ({ name: f.path, reason: { key: 'validation.schema', params: { message: f.message } } })))
  }
  throw new HttpError(409, 'problem.conflict', { key: `problem.service.${e.reason}` as 'problem.service.manifest' })
}

const summary = (app: Application) => ({
  reference: app.reference, serviceId: app.serviceId, status: app.status, submittedAt: app.submittedAt, updatedAt: app.updatedAt,
  decidedAt: app.decidedAt, agencyReference: app.agencyReference,
})

/**
 * The Agency API (/api/v1/agency/…): an agency's system, with a bearer key, reads the
 * applications routed to it, posts status changes (with Idempotency-Key), and reads its
 * delivery log and endpoint health. A key reaches only its own agency's data: any other
 * reference is 404, so existence does not leak.
 */
export function agencyApiRoutes(deps: AgencyApiDeps): Router {
  const { applications, endpoints } = deps
  const router = Router()
  const base = '/api/v1/agency'
  router.use(base, ...agencyApiAuth(deps.keys, deps.rateLimitStore('agency-api:'), deps.perMinute), express.json({ limit: '64kb' }))

  const apiUrl = (req: Request, path: string) => `${req.baseUrl}${base}${path}`
  const readerOf = (key: ApiKey) => ({ id: `api-key:${key.id}`, by: 'agency-system' as const, name: key.name })

  async function ownApplication(req: Request, res: Response): Promise<Application> {
    const key = apiKeyOf(res)
    const app = await applications.ofAgency(key.agencyId, String(req.params['reference']), readerOf(key), requestContext(req))
    if (!app) throw notFound({ key: 'problem.applicationNotFound', params: { reference: String(req.params['reference']) } })
    return app
  }

  router.get(`${base}/applications`, requireScope('applications:read'), async (req, res) => {
    res.locals['routeName'] = 'agency-api.applications'
    const key = apiKeyOf(res)
    liveOnly(key)
    const query = listQuery(req.query)
    const items = await applications.pageForAgency(key.agencyId, {
      status: query.status, updatedSince: query.updatedSince ? new Date(query.updatedSince).toISOString() : undefined,
      after: query.cursor ? decodeCursor(query.cursor) : undefined, limit: query.limit,
    })
    const last = items.length === query.limit ? items.at(-1) : undefined
    res.json({ items: items.map(summary), nextCursor: last ? encodeCursor(last) : null })
  })

  router.get(`${base}/applications/:reference`, requireScope('applications:read'), async (req, res) => {
    res.locals['routeName'] = 'agency-api.application'
    liveOnly(apiKeyOf(res))
    const app = await ownApplication(req, res)
    const documents = await applications.documents(app)
    res.json({
      ...summary(app),
      assuranceLevel: app.assuranceLevel ?? 0,
      onBehalfOf: app.onBehalfOf ? { enterpriseCode: app.onBehalfOf, name: app.onBehalfOfName ?? '' } : null,
      // Only the profile fields the service declared, as they were at submission.
      profile: app.profile ?? {},
      answers: app.answers,
      documents: documents.map((d) => ({
        id: d.id, field: d.fieldId, filename: d.filename, contentType: d.contentType, size: d.size, sha256: d.sha256,
        url: apiUrl(req, `/applications/${app.reference}/documents/${d.id}`),
      })),
    })
  })

  router.get(`${base}/applications/:reference/documents/:id`, requireScope('applications:read'), async (req, res, next) => {
    res.locals['routeName'] = 'agency-api.document'
    liveOnly(apiKeyOf(res))
    const app = await ownApplication(req, res)
    const doc = await applications.document(app, String(req.params['id']))
    if (!doc) throw notFound()
    res.set({ 'Content-Type': doc.contentType, 'Content-Length': String(doc.size), 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(doc.filename)}` })
    applications.openDocument(doc).on('error', next).pipe(res)
  })

  /**
   * The result of an approved application: with no body the portal issues its own
   * document (as at an approval through the API); with an application/pdf body the
   * agency's own signed PDF, kept as sent and wrapped by the portal's page with the
   * verification code and QR code. One result per application: the same request again
   * answers 200 with it; another PDF is 409.
   */
  router.post(`${base}/applications/:reference/result`, requireScope('applications:write'), express.raw({ type: 'application/pdf', limit: '10mb' }),
    async (req, res) => {
      res.locals['routeName'] = 'agency-api.result'
      const key = apiKeyOf(res)
      const app = await applications.routedTo(key.agencyId, String(req.params['reference']))
      if (!app) throw notFound({ key: 'problem.applicationNotFound', params: { reference: String(req.params['reference']) } })
      const pdf = Buffer.isBuffer(req.body) ? req.body : undefined
      if (req.is('application/pdf') && (!pdf || pdf.subarray(0, 5).toString('latin1') !== '%PDF-')) {
        throw new HttpError(422, 'problem.invalidParams', { key: 'problem.notPdf' }, [{ name: 'body', reason: { key: 'problem.notPdf' } }])
      }
      if (app.status !== 'approved') throw new HttpError(409, 'problem.conflict', { key: 'problem.resultNotApproved', params: { status: app.status } })
      const sha256 = pdf ? createHash('sha256').update(pdf).digest('hex') : null
      const existing = await deps.results.forApplication(app)
      if (existing && existing.agencyPdfSha256 !== sha256) throw new HttpError(409, 'problem.conflict', { key: 'problem.resultExists', params: { code: existing.code } })
      if (key.environment === 'test') return res.status(200).json({ reference: app.reference, source: pdf ? 'agency' : 'portal', dryRun: true })
      const result = existing ?? await deps.results.issue(app, { id: `api-key:${key.id}`, name: null }, requestContext(req), pdf)
      res.status(existing ? 200 : 201).json({
        reference: app.reference, code: result.code, source: result.source, issuedAt: result.issuedAt, sha256: result.pdfSha256,
        agencyDocumentSha256: result.agencyPdfSha256, verifyUrl: `${deps.publicUrl}/verify/${result.code}`, revoked: result.revokedAt !== null,
      })
    })

  /** A status change; with Idempotency-Key, sent again it changes nothing and answers as the first time. */
  router.post(`${base}/applications/:reference/events`, requireScope('applications:write'), async (req, res) => {
    res.locals['routeName'] = 'agency-api.events'
    const key = apiKeyOf(res)
    const body = eventBody(req.body)
    if (!body.status) throw invalidParams([{ name: 'status', reason: { key: 'validation.required' } }])
    const to = body.status
    const message = body.message?.trim() || null
    const note = body.note?.trim() || null

    const change = async (): Promise<Answer> => {
      const app = await applications.routedTo(key.agencyId, String(req.params['reference']))
      if (!app) throw notFound({ key: 'problem.applicationNotFound', params: { reference: String(req.params['reference']) } })
      const allowed = applications.officerMovesFrom(app.status).includes(to)
      const conflict = {
        status: 409,
        body: { type: 'about:blank', title: res.locals.t('problem.conflict'), status: 409, detail: res.locals.t('problem.transition', { from: app.status, to }), instance: req.originalUrl },
      }
      if (!allowed) return conflict
      if ((to === 'info_requested' || to === 'rejected') && !message) {
        throw invalidParams([{ name: 'message', reason: { key: 'validation.required' } }])
      }
      if (key.environment === 'test') return { status: 200, body: { reference: app.reference, status: to, from: app.status, dryRun: true } }
      try {
        const moved = await applications.transition(app, to, { id: `api-key:${key.id}`, kind: 'agency' }, { message, note, ctx: requestContext(req) })
        // The approval stands whatever happens next; a result not issued now is issued at its first download.
        if (to === 'approved') {
          await deps.results.issue(moved, { id: `api-key:${key.id}`, name: null }, requestContext(req))
            .catch((err: unknown) => req.log.error({ err, reference: app.reference }, 'result not issued at approval'))
        }
        return { status: 201, body: { reference: moved.reference, status: moved.status, from: app.status, updatedAt: moved.updatedAt } }
      } catch (e) {
        if (e instanceof IllegalTransition) return conflict
        throw e
      }
    }

    const idempotencyKey = req.get('idempotency-key')
    let answer: Answer
    if (idempotencyKey === undefined) {
      answer = await change()
    } else {
      if (!validIdempotencyKey(idempotencyKey)) throw invalidParams([{ name: 'Idempotency-Key', reason: { key: 'validation.invalid' } }])
      const hash = requestHash('POST', `${base}/applications/${String(req.params['reference']).toUpperCase()}/events`, { to, message, note })
      const result = await deps.idempotency(key.agencyId, idempotencyKey, hash, change)
      if (result.kind === 'mismatch') throw new HttpError(422, 'problem.idempotency', { key: 'problem.idempotency.mismatch' })
      if (result.kind === 'running') throw new HttpError(409, 'problem.idempotency', { key: 'problem.idempotency.running' })
      if (result.replayed) res.set('Idempotent-Replayed', 'true')
      answer = result.answer
    }
    if (answer.status >= 400) res.type('application/problem+json')
    res.status(answer.status).json(answer.body)
  })

  router.get(`${base}/services`, requireScope('services:write'), async (_req, res) => {
    res.locals['routeName'] = 'agency-api.services'
    const latest = await deps.services.latestOfAgency(apiKeyOf(res).agencyId)
    res.json({ items: latest.map((v) => ({ id: v.serviceId, name: v.content.name, latest: versionJson(v) })) })
  })

  router.get(`${base}/services/:id`, requireScope('services:write'), async (req, res) => {
    res.locals['routeName'] = 'agency-api.service'
    const found = await deps.services.versions(apiKeyOf(res).agencyId, String(req.params['id'])).catch(serviceProblem)
    if (!found.service && !found.versions.length) throw notFound()
    res.json({ id: req.params['id'], inForce: inForce(found.service), versions: found.versions.map(versionJson), latest: found.versions[0]?.content ?? null })
  })

  /** Creates or edits the draft: the body is the service in the manifest format, with its form. */
  router.put(`${base}/services/:id`, requireScope('services:write'), async (req, res) => {
    res.locals['routeName'] = 'agency-api.service.put'
    const key = apiKeyOf(res)
    const id = String(req.params['id'])
    if (key.environment === 'test') {
      const checked = await deps.services.check(key.agencyId, id, req.body).catch(serviceProblem)
      return res.json({ id, dryRun: true, valid: Boolean(checked) })
    }
    const version = await deps.services.saveDraft(key.agencyId, id, req.body, `api-key:${key.id}`, requestContext(req)).catch(serviceProblem)
    res.status(version.version === 1 && version.createdAt === version.updatedAt ? 201 : 200).json({ id, ...versionJson(version) })
  })

  router.post(`${base}/services/:id/submit`, requireScope('services:write'), async (req, res) => {
    res.locals['routeName'] = 'agency-api.service.submit'
    const key = apiKeyOf(res)
    const id = String(req.params['id'])
    if (key.environment === 'test') return res.json({ id, dryRun: true })
    const version = await deps.services.submit(key.agencyId, id, `api-key:${key.id}`, requestContext(req)).catch(serviceProblem)
    res.json({ id, ...versionJson(version) })
  })

  router.get(`${base}/deliveries`, requireScope('deliveries:read'), async (req, res) => {
    res.locals['routeName'] = 'agency-api.deliveries'
    const query = beforeQuery(req.query)
    const log = await applications.deliveryLog({ agencyId: apiKeyOf(res).agencyId, before: query.before || undefined, limit: query.limit })
    res.json({
      items: log.map((d) => ({
        id: d.id, deliveryId: d.outboxId, reference: d.reference, attempt: d.attempt, at: d.at, target: d.target, outcome: d.outcome,
        statusCode: d.statusCode, latencyMs: d.latencyMs, error: d.error,
      })),
      next: log.length === query.limit ? apiUrl(req, `/deliveries?before=${log.at(-1)!.id}&limit=${query.limit}`) : null,
    })
  })

  router.post(`${base}/deliveries/:id/redeliver`, requireScope('deliveries:write'), async (req, res) => {
    res.locals['routeName'] = 'agency-api.redeliver'
    const key = apiKeyOf(res)
    if (key.environment === 'test') return res.status(200).json({ deliveryId: req.params['id'], dryRun: true })
    if (!(await applications.redeliver(String(req.params['id']), `api-key:${key.id}`, requestContext(req), key.agencyId))) throw notFound()
    res.status(202).json({ deliveryId: req.params['id'], status: 'pending' })
  })

  router.get(`${base}/endpoint`, requireScope('deliveries:read'), async (_req, res) => {
    res.locals['routeName'] = 'agency-api.endpoint'
    const agencyId = apiKeyOf(res).agencyId
    const endpoint = await endpoints.endpoint(agencyId)
    if (!endpoint) throw notFound({ key: 'problem.noEndpoint' })
    res.json({
      url: endpoint.url, state: endpoint.state, origin: endpoint.origin, verifiedAt: endpoint.verifiedAt,
      suspendedAt: endpoint.suspendedAt, suspendedReason: endpoint.suspendedReason, previousSecretUntil: endpoint.previousSecretUntil,
      consecutiveFailures: endpoint.consecutiveFailures, lastError: endpoint.lastError, lastErrorAt: endpoint.lastErrorAt,
      lastSuccessAt: endpoint.lastSuccessAt,
      last24Hours: await endpoints.health(agencyId),
    })
  })

  return router
}
