import { Router, type Request, type Response } from 'express'
import type { ApplicationService } from '../domain/applications/applicationService.js'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { EndpointRefused, type Endpoints } from '../domain/agencies/endpoints.js'
import { ServiceRefused, type ServiceRegistration } from '../domain/catalogue/serviceRegistration.js'
import { AgencyInvalid, type AgencyOnboarding } from '../domain/agencies/onboarding.js'
import { AccountRefused, roles, type AccountService } from '../domain/identity/accountService.js'
import { emailTexts } from '../i18n/emailTexts.js'
import { languages, type TranslationKey } from '../i18n/messages.js'
import { endpointErrors } from './agencySettingsRoutes.js'
import { HttpError } from '../web/httpErrors.js'
import { invitationInput } from '../web/invitation.js'
import { requestContext } from '../web/requestContext.js'
import { allow } from '../web/setUpAuth.js'
import { noStore } from '../web/setUpWebSecurity.js'

const roleRefusals: Record<string, TranslationKey> = {
  'own-role': 'admin.error.ownRole',
  role: 'admin.error.role',
  agency: 'admin.error.agency',
}

const levels = ['national', 'provincial', 'commune', 'enterprise'] as const

/** The form's fields as the agency schema wants them: name.vi → { name: { vi } }; empty fields left out. */
function agencyInput(body: Record<string, unknown>) {
  const text = (name: string) => String(body[name] ?? '').trim()
  const localized = (field: string) => Object.fromEntries(languages.map((l) => [l, text(`${field}.${l}`)]))
  return {
    id: text('id'), name: localized('name'), description: localized('description'), level: text('level'),
    ...(text('website') ? { website: text('website') } : {}),
  }
}

/**
 * The portal administrator's pages: people and their roles, stuck deliveries, agencies
 * (onboarding, their administrators, their endpoints) and the private hosts endpoints may use.
 */
export function adminRoutes(deps: {
  accounts: AccountService
  catalogue: CatalogueService
  applications: ApplicationService
  onboarding: AgencyOnboarding
  endpoints: Endpoints
  services: ServiceRegistration
}): Router {
  const { accounts, catalogue, applications, onboarding, endpoints, services } = deps
  const router = Router()
  router.use('/admin', noStore, allow('admin'))

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

  router.get('/admin', async (req, res) => {
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
  router.get('/admin/deliveries', async (_req, res) => {
    await agencyNames(res)
    res.render('pages/staff/deliveries', { stuck: await applications.stuckDeliveries(), log: await applications.deliveryLog() })
  })

  // What people searched for and did not find: by folded words and counts, nobody's name.
  router.get('/admin/search-misses', async (_req, res) => {
    res.render('pages/staff/searchMisses', { misses: await catalogue.missedSearches(200) })
  })

  router.post('/admin/deliveries/:id/redeliver', async (req, res) => {
    if (!(await applications.redeliver(String(req.params['id']), req.user!.id, requestContext(req)))) throw new HttpError(404, 'error.notFound.title')
    res.redirect(303, '/admin/deliveries')
  })

  router.get('/admin/users/:id', (req, res) => renderUser(req, res))

  router.get('/admin/agencies', async (_req, res) => {
    res.render('pages/staff/agencies', { agencies: await onboarding.agencies() })
  })

  const renderNewAgency = (res: Response, invalid: string[] = [], typed: Record<string, unknown> = {}) =>
    res.status(invalid.length ? 422 : 200).render('pages/staff/agencyNew', { invalid, typed, levels })

  router.get('/admin/agencies/new', (_req, res) => renderNewAgency(res))

  router.post('/admin/agencies', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>
    try {
      const agency = await onboarding.create(agencyInput(body), req.user!.id, requestContext(req))
      res.redirect(303, `/admin/agencies/${agency.id}`)
    } catch (e) {
      if (!(e instanceof AgencyInvalid)) throw e
      return renderNewAgency(res, e.fields, body)
    }
  })

  async function renderAgency(req: Request, res: Response, notice: { error?: TranslationKey, invited?: string } = {}, typed: Record<string, string> = {}) {
    const agency = await onboarding.agencies().then((all) => all.find((a) => a.id === String(req.params['id'])))
    if (!agency) throw new HttpError(404, 'error.notFound.title')
    res.status(notice.error ? 422 : 200).render('pages/staff/agencyDetail', {
      agency, staff: await accounts.staffOf(agency.id), endpoint: await endpoints.endpoint(agency.id), notice, typed,
    })
  }

  router.get('/admin/agencies/:id', (req, res) => renderAgency(req, res, { invited: typeof req.query['invited'] === 'string' ? req.query['invited'] : undefined }))

  router.post('/admin/agencies/:id/administrators', async (req, res) => {
    const agencyId = String(req.params['id'])
    const { typed, problem } = invitationInput(req.body)
    if (problem) return renderAgency(req, res, { error: problem }, typed)
    try {
      await onboarding.invite(agencyId, 'agency_admin', typed, emailTexts(res.locals.t), req.user!.id)
    } catch (e) {
      if (!(e instanceof AccountRefused)) throw e
      if (/^no agency/.test(e.message)) throw new HttpError(404, 'error.notFound.title')
      return renderAgency(req, res, { error: 'invite.error.taken' }, typed)
    }
    res.redirect(303, `/admin/agencies/${encodeURIComponent(agencyId)}?invited=${encodeURIComponent(typed.email)}`)
  })

  router.post('/admin/agencies/:id/endpoint/resume', async (req, res) => {
    try {
      await endpoints.resume(String(req.params['id']), req.user!.id, requestContext(req))
    } catch (e) {
      if (!(e instanceof EndpointRefused)) throw e
      return renderAgency(req, res, { error: endpointErrors[e.reason] })
    }
    res.redirect(303, `/admin/agencies/${encodeURIComponent(String(req.params['id']))}`)
  })

  // Services agencies submitted: a portal administrator approves (four eyes) or sends them back with a note.
  router.get('/admin/services', async (_req, res) => {
    await agencyNames(res)
    res.render('pages/staff/serviceReviews', { versions: await services.inReview() })
  })

  async function renderReview(req: Request, res: Response, problem?: ServiceRefused) {
    const version = await services.version(String(req.params['id']), Number(req.params['version']))
    if (!version) throw new HttpError(404, 'error.notFound.title')
    await agencyNames(res)
    res.status(problem ? 422 : 200).render('pages/staff/serviceReview', { version, problem, content: JSON.stringify(version.content, null, 2) })
  }

  router.get('/admin/services/:id/:version', (req, res) => renderReview(req, res))

  router.post('/admin/services/:id/:version', async (req, res) => {
    const approve = req.body?.decision === 'approve'
    try {
      await services.review(String(req.params['id']), Number(req.params['version']), { approve, note: String(req.body?.note ?? '') }, req.user!.id, requestContext(req))
    } catch (e) {
      if (!(e instanceof ServiceRefused)) throw e
      if (e.reason === 'not-found') throw new HttpError(404, 'error.notFound.title')
      return renderReview(req, res, e)
    }
    res.redirect(303, '/admin/services')
  })

  const renderHosts = async (res: Response, error?: TranslationKey, typed: Record<string, string> = {}) =>
    res.status(error ? 422 : 200).render('pages/staff/endpointHosts', { hosts: await endpoints.hosts(), error, typed })

  router.get('/admin/endpoint-hosts', (_req, res) => renderHosts(res))

  router.post('/admin/endpoint-hosts', async (req, res) => {
    const typed = { host: String(req.body?.host ?? ''), port: String(req.body?.port ?? ''), note: String(req.body?.note ?? '') }
    try {
      await endpoints.allowHost({ host: typed.host, port: /^\d{1,5}$/.test(typed.port) ? Number(typed.port) : NaN, note: typed.note }, req.user!.id, requestContext(req))
    } catch (e) {
      if (!(e instanceof EndpointRefused)) throw e
      return renderHosts(res, 'endpoint.error.host', typed)
    }
    res.redirect(303, '/admin/endpoint-hosts')
  })

  router.post('/admin/endpoint-hosts/remove', async (req, res) => {
    await endpoints.removeHost(String(req.body?.host ?? ''), Number(req.body?.port ?? 0), req.user!.id, requestContext(req))
    res.redirect(303, '/admin/endpoint-hosts')
  })

  router.post('/admin/users/:id/role', async (req, res) => {
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
