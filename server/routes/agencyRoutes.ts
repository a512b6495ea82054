import { Router, type Request, type Response } from 'express'
import { finalStatuses, IllegalTransition, type ApplicationService } from '../domain/applications/applicationService.js'
import type { Application, ApplicationStatus } from '../domain/applications/model.js'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { deadlineStates, type DeadlineState } from '../domain/applications/deadline.js'
import type { AccountService } from '../domain/identity/accountService.js'
import type { Results } from '../domain/results/resultService.js'
import type { Statistics } from '../domain/statistics/statisticsService.js'
import { visiblePages } from '../domain/forms/formEngine.js'
import type { TranslationKey } from '../i18n/messages.js'
import { HttpError } from '../web/httpErrors.js'
import { requestContext } from '../web/requestContext.js'
import { resultOf, sendPdf } from '../web/resultDownload.js'
import { allow } from '../web/setUpAuth.js'
import { noStore } from '../web/setUpWebSecurity.js'

/**
 * The officer console: the agency's inbox and each application routed to it. An officer
 * sees only their own agency's applications; any other is 404, so existence does not leak.
 */
export interface AgencyRouteDeps {
  catalogue: CatalogueService
  applications: ApplicationService
  accounts: AccountService
  results: Results
  statistics: Statistics
}

export function agencyRoutes(deps: AgencyRouteDeps): Router {
  const { catalogue, applications, accounts, results, statistics } = deps
  const officersOf = async (agencyId: string) => (await accounts.staffOf(agencyId)).filter((u) => u.role === 'officer')
  const pageSize = 50
  const router = Router()
  // The whole area is staff only, so an unknown path is 401/403 before 404; applications are for officers.
  router.use('/agency', noStore, allow('officer', 'agency_admin'))
  router.use('/agency/applications', allow('officer'))

  router.get('/agency', async (req, res) => {
    // An agency's administrator manages it (keys, endpoint, officers); applications are its officers' work.
    if (req.user!.role === 'agency_admin') return res.redirect(303, '/agency/settings')
    const agencyId = req.user!.agencyId
    const agency = agencyId ? await catalogue.agency(agencyId) : undefined
    if (!agency) throw new HttpError(404, 'error.notFound.title')
    const services = await catalogue.find({ agency: agency.id, page: 1, pageSize: 100, lang: res.locals.lang })
    const text = (name: string) => (typeof req.query[name] === 'string' ? req.query[name] : '')
    const status = /^[a-z_]{1,20}$/.test(text('status')) ? text('status') : ''
    const service = services.items.some((s) => s.id === text('service')) ? text('service') : ''
    const due = (deadlineStates as string[]).includes(text('due')) ? text('due') as DeadlineState : undefined
    const mine = text('mine') === '1'
    const q = text('q').slice(0, 100)
    const page = Math.max(1, Math.min(10_000, Number.parseInt(text('page'), 10) || 1))
    const inbox = await applications.forAgency(agency.id, {
      status: status || undefined, serviceId: service || undefined, due, assignedTo: mine ? req.user!.id : undefined, q, page, pageSize,
    })
    const filters = { status, service, due: due ?? '', mine: mine ? '1' : '', q }
    res.render('pages/staff/agency', { agency, services: services.items, inbox, filters, page, pages: Math.max(1, Math.ceil(inbox.total / pageSize)) })
  })

  // What applicants said after their decision, comments included: for this agency's staff only, never published.
  router.get('/agency/satisfaction', async (req, res) => {
    const agency = req.user!.agencyId ? await catalogue.agency(req.user!.agencyId) : undefined
    if (!agency) throw new HttpError(404, 'error.notFound.title')
    const ratings = await statistics.ratingsFor(agency.id)
    const services = await Promise.all([...new Set(ratings.map((r) => r.serviceId))].map((id) => catalogue.service(id)))
    const names = new Map(services.flatMap((s) => (s ? [[s.id, s.name] as const] : [])))
    res.render('pages/staff/satisfaction', { agency, ratings: ratings.map((r) => ({ ...r, serviceName: names.get(r.serviceId) ?? null })) })
  })

  async function agencyApplication(req: Request) {
    const app = req.user!.agencyId ? await applications.ofAgency(req.user!.agencyId, String(req.params['ref']), { id: req.user!.id, by: 'officer' }, requestContext(req)) : undefined
    if (!app) throw new HttpError(404, 'error.notFound.title')
    return app
  }

  /** The application with the moves allowed from where it is; after a refusal, what the officer typed. */
  async function renderApplication(res: Response, app: Application, error?: TranslationKey, status = 200, typed: Record<string, string> = {}) {
    const { service, form } = await applications.serviceWithForm(app.serviceId, app.serviceVersion)
    const answers = app.answers
    res.status(status).render('pages/staff/application', {
      app, service, form, answers, pages: visiblePages(form, answers), events: await applications.events(app),
      documents: await applications.documents(app), moves: applications.officerMovesFrom(app.status), final: finalStatuses.includes(app.status), error, typed,
      deadline: applications.deadline(app), officers: await officersOf(app.agencyId), today: applications.today(), result: await results.forApplication(app),
    })
  }

  // An officer sees only applications routed to their own agency: any other is 404.
  router.get('/agency/applications/:ref', async (req, res) => renderApplication(res, await agencyApplication(req)))

  router.get('/agency/applications/:ref/documents/:doc', async (req, res, next) => {
    const app = await agencyApplication(req)
    const doc = await applications.document(app, String(req.params['doc']))
    if (!doc) throw new HttpError(404, 'error.notFound.title')
    res.set({ 'Content-Type': doc.contentType, 'Content-Length': String(doc.size), 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(doc.filename)}` })
    applications.openDocument(doc).on('error', next).pipe(res)
  })

  router.post('/agency/applications/:ref/status', async (req, res) => {
    const app = await agencyApplication(req)
    const to = String(req.body?.to ?? '') as ApplicationStatus
    const message = String(req.body?.message ?? '').trim().slice(0, 2000) || null
    const note = String(req.body?.note ?? '').trim().slice(0, 2000) || null
    const typed = { to, message: message ?? '', note: note ?? '' }
    if (!applications.officerMovesFrom(app.status).includes(to)) return renderApplication(res, app, 'staff.application.error.transition', 409, typed)
    if ((to === 'info_requested' || to === 'rejected') && !message) return renderApplication(res, app, 'staff.application.error.message', 422, typed)
    let moved: Application
    try {
      moved = await applications.transition(app, to, { id: req.user!.id, kind: 'officer' }, { message, note, ctx: requestContext(req) })
    } catch (e) {
      if (!(e instanceof IllegalTransition)) throw e
      return renderApplication(res, await agencyApplication(req), 'staff.application.error.transition', 409, typed)
    }
    // The approval is kept whatever happens next; a result that failed here is issued when first downloaded.
    if (to === 'approved') {
      await results.issue(moved, { id: req.user!.id, name: req.user!.fullName ?? null }, requestContext(req))
        .catch((err: unknown) => req.log.error({ err, reference: app.reference }, 'result not issued at approval'))
    }
    res.redirect(303, `/agency/applications/${app.reference}`)
  })

  router.get('/agency/applications/:ref/result.pdf', async (req, res, next) => {
    const app = await agencyApplication(req)
    const result = await resultOf({ results, applications }, app, req)
    sendPdf(res, result, results.document(result), next)
  })

  router.get('/agency/applications/:ref/result/agency.pdf', async (req, res, next) => {
    const result = await resultOf({ results, applications }, await agencyApplication(req), req)
    const body = results.agencyDocument(result)
    if (!body) throw new HttpError(404, 'error.notFound.title')
    sendPdf(res, result, body, next, 'van-ban-co-quan')
  })

  router.post('/agency/applications/:ref/result/revoke', async (req, res) => {
    const app = await agencyApplication(req)
    const reason = String(req.body?.reason ?? '').trim().slice(0, 500)
    if (!reason) return renderApplication(res, app, 'result.error.reason', 422, { reason })
    await results.revoke(app, req.user!.id, reason, requestContext(req))
    res.redirect(303, `/agency/applications/${app.reference}`)
  })

  // Take an application, give it to a colleague of the same agency, or put it back in the pool.
  router.post('/agency/applications/:ref/assign', async (req, res) => {
    const app = await agencyApplication(req)
    const to = String(req.body?.to ?? '')
    const officer = to ? (await officersOf(app.agencyId)).find((u) => u.id === to) : undefined
    if (to && !officer) return renderApplication(res, app, 'staff.application.error.officer', 422, { assignTo: to })
    await applications.assign(app, officer?.id ?? null, req.user!.id, requestContext(req))
    res.redirect(303, `/agency/applications/${app.reference}`)
  })

  router.post('/agency/applications/:ref/apology', async (req, res) => {
    const app = await agencyApplication(req)
    const newDate = String(req.body?.newDate ?? '').trim()
    const message = String(req.body?.apology ?? '').trim().slice(0, 2000)
    const typed = { newDate, apology: message }
    if (!message) return renderApplication(res, app, 'staff.application.error.apologyMessage', 422, typed)
    const outcome = await applications.apologize(app, req.user!.id, { newDate, message }, requestContext(req))
    if (outcome === 'badDate') return renderApplication(res, app, 'staff.application.error.apologyDate', 422, typed)
    if (outcome === 'notOverdue') return renderApplication(res, app, 'staff.application.error.notOverdue', 409, typed)
    res.redirect(303, `/agency/applications/${app.reference}`)
  })

  return router
}
