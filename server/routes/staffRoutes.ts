import { Router, type Request, type Response } from 'express'
import type { Application, ApplicationStatus } from '../domain/applications/model.js'
import { z } from 'zod'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { AccountRefused, roles, type AccountService } from '../domain/identity/accountService.js'
import { finalStatuses, IllegalTransition, type ApplicationService } from '../domain/applications/applicationService.js'
import { visiblePages } from '../domain/forms/formEngine.js'
import type { TranslationKey } from '../i18n/messages.js'
import { HttpError } from '../web/httpErrors.js'
import { allow } from '../web/setUpAuth.js'
import { requestContext } from '../web/requestContext.js'

const pageSize = 100
const auditQuery = z.object({
  before: z.coerce.number().int().positive().optional().catch(undefined),
  action: z.string().regex(/^[a-z.-]{1,60}$/).optional().catch(undefined),
})

const roleRefusals: Record<string, TranslationKey> = {
  'own-role': 'admin.error.ownRole',
  role: 'admin.error.role',
  agency: 'admin.error.agency',
}

/**
 * The officer console, the auditor's trail and the administrator's pages. Each route
 * names the one role it allows; anyone else signed in gets 403.
 */

export function staffRoutes(deps: { accounts: AccountService, catalogue: CatalogueService, applications: ApplicationService }): Router {
  const { accounts, catalogue, applications } = deps
  const router = Router()
  router.use(['/agency', '/audit', '/admin'], (_req, res, next) => {
    res.set('Cache-Control', 'no-store')
    next()
  })

  router.get('/agency', allow('officer'), async (req, res) => {
    const agencyId = req.user!.agencyId
    const agency = agencyId ? await catalogue.agency(agencyId) : undefined
    if (!agency) throw new HttpError(404, 'error.notFound.title')
    const services = await catalogue.find({ agency: agency.id, page: 1, pageSize: 100, lang: res.locals.lang })
    const status = typeof req.query['status'] === 'string' && /^[a-z_]{1,20}$/.test(req.query['status']) ? req.query['status'] : undefined
    const q = typeof req.query['q'] === 'string' ? req.query['q'].slice(0, 100) : ''
    res.render('pages/staff/agency', { agency, services: services.items, inbox: await applications.forAgency(agency.id, { status, q }), status: status ?? '', q })
  })

  async function agencyApplication(req: Request) {
    const app = req.user!.agencyId ? await applications.ofAgency(req.user!.agencyId, String(req.params['ref']), req.user!.id, requestContext(req)) : undefined
    if (!app) throw new HttpError(404, 'error.notFound.title')
    return app
  }

  /** The application with the moves allowed from where it is; after a refusal, what the officer typed. */
  async function renderApplication(res: Response, app: Application, error?: TranslationKey, status = 200, typed: Record<string, string> = {}) {
    const { service, form } = await applications.serviceWithForm(app.serviceId)
    const answers = app.answers
    res.status(status).render('pages/staff/application', {
      app, service, form, answers, pages: visiblePages(form, answers), events: await applications.events(app),
      documents: await applications.documents(app), moves: applications.officerMovesFrom(app.status), final: finalStatuses.includes(app.status), error, typed,
    })
  }

  // An officer sees only applications routed to their own agency: any other is 404.
  router.get('/agency/applications/:ref', allow('officer'), async (req, res) => renderApplication(res, await agencyApplication(req)))

  router.get('/agency/applications/:ref/documents/:doc', allow('officer'), async (req, res, next) => {
    const app = await agencyApplication(req)
    const doc = await applications.document(app, String(req.params['doc']))
    if (!doc) throw new HttpError(404, 'error.notFound.title')
    res.set({ 'Content-Type': doc.contentType, 'Content-Length': String(doc.size), 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(doc.filename)}` })
    applications.openDocument(doc).on('error', next).pipe(res)
  })

  router.post('/agency/applications/:ref/status', allow('officer'), async (req, res) => {
    const app = await agencyApplication(req)
    const to = String(req.body?.to ?? '') as ApplicationStatus
    const message = String(req.body?.message ?? '').trim().slice(0, 2000) || null
    const note = String(req.body?.note ?? '').trim().slice(0, 2000) || null
    const typed = { to, message: message ?? '', note: note ?? '' }
    if (!applications.officerMovesFrom(app.status).includes(to)) return renderApplication(res, app, 'staff.application.error.transition', 409, typed)
    if ((to === 'info_requested' || to === 'rejected') && !message) return renderApplication(res, app, 'staff.application.error.message', 422, typed)
    try {
      await applications.transition(app, to, { id: req.user!.id, kind: 'officer' }, { message, note, ctx: requestContext(req) })
    } catch (e) {
      if (!(e instanceof IllegalTransition)) throw e
      return renderApplication(res, await agencyApplication(req), 'staff.application.error.transition', 409, typed)
    }
    res.redirect(303, `/agency/applications/${app.reference}`)
  })

  router.get('/audit', allow('auditor'), async (req, res) => {
    const query = auditQuery.parse(req.query)
    const events = await accounts.auditTrail({ before: query.before, action: query.action, limit: pageSize })
    res.render('pages/staff/audit', {
      events,
      action: query.action ?? '',
      older: events.length === pageSize ? Number(events[events.length - 1]!.id) : undefined,
    })
  })

  /** Agencies are shown by name in the reader's language, never by their id. */
  async function agencyNames(res: Response) {
    const agencies = (await catalogue.home()).agencies
    const names = new Map(agencies.map((a) => [a.id, a.name]))
    res.locals['agencyName'] = (id: string) => {
      const name = names.get(id)
      return name ? name[res.locals.lang] : id
    }
    return agencies
  }

  router.get('/admin', allow('admin'), async (req, res) => {
    const q = typeof req.query['q'] === 'string' ? req.query['q'].slice(0, 100) : ''
    await agencyNames(res)
    res.render('pages/staff/users', { users: await accounts.searchUsers(q), q })
  })

  async function renderUser(req: Request, res: Response, error?: TranslationKey, status = 200) {
    const id = String(req.params['id'])
    const person = await accounts.findUser(id)
    if (!person) throw new HttpError(404, 'error.notFound.title')
    const agencies = await agencyNames(res)
    res.status(status).render('pages/staff/user', {
      person, roles, agencies, error, history: await accounts.history(id),
      saved: status === 200 && req.query['saved'] === '1', self: person.id === req.user!.id,
    })
  }

  // Deliveries that failed for good or were dead-lettered: visible here, and sent again on request.
  router.get('/admin/deliveries', allow('admin'), async (_req, res) => {
    await agencyNames(res)
    res.render('pages/staff/deliveries', { stuck: await applications.stuckDeliveries(), log: await applications.deliveryLog() })
  })

  router.post('/admin/deliveries/:id/redeliver', allow('admin'), async (req, res) => {
    const agencyId = String(req.body?.agencyId ?? '')
    if (!(await applications.redeliver(String(req.params['id']), agencyId, req.user!.id, requestContext(req)))) throw new HttpError(404, 'error.notFound.title')
    res.redirect(303, '/admin/deliveries')
  })

  router.get('/admin/users/:id', allow('admin'), (req, res) => renderUser(req, res))

  router.post('/admin/users/:id/role', allow('admin'), async (req, res) => {
    const id = String(req.params['id'])
    const role = String(req.body?.role ?? '')
    const agencyId = req.body?.agencyId ? String(req.body.agencyId) : undefined
    try {
      await accounts.changeRole(req.user!.id, id, { role, agencyId }, requestContext(req))
    } catch (e) {
      if (!(e instanceof AccountRefused)) throw e
      if (e.message === 'no such account') throw new HttpError(404, 'error.notFound.title')
      return renderUser(req, res, roleRefusals[e.message] ?? 'admin.error.role', 422)
    }
    res.redirect(303, `/admin/users/${encodeURIComponent(id)}?saved=1`)
  })

  return router
}
