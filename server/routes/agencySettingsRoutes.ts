import { Router, type Request, type Response } from 'express'
import { keyLifetimeDays, KeyRefused, rotationGraceHours, type ApiKeys } from '../domain/agencies/apiKeys.js'
import { EndpointRefused, secretOverlapHours, type Endpoints } from '../domain/agencies/endpoints.js'
import { scopes } from '../domain/agencies/model.js'
import type { AgencyOnboarding } from '../domain/agencies/onboarding.js'
import type { ApplicationService } from '../domain/applications/applicationService.js'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { ServiceRefused, type ServiceRegistration } from '../domain/catalogue/serviceRegistration.js'
import type { ServiceStatus } from '../domain/catalogue/types.js'
import { AccountRefused, type AccountService } from '../domain/identity/accountService.js'
import type { TranslationKey } from '../i18n/messages.js'
import { emailTexts } from '../i18n/emailTexts.js'
import { HttpError } from '../web/httpErrors.js'
import { invitationInput } from '../web/invitation.js'
import { requestContext } from '../web/requestContext.js'
import { allow } from '../web/setUpAuth.js'
import { noStore } from '../web/setUpWebSecurity.js'

const keyErrors: Record<KeyRefused['field'], TranslationKey> = {
  name: 'keys.error.name', scopes: 'keys.error.scopes', environment: 'keys.error.environment', expiresInDays: 'keys.error.expiresInDays',
  ipAllowlist: 'keys.error.ipAllowlist', graceHours: 'keys.error.graceHours', key: 'keys.error.key',
}
export const endpointErrors: Record<EndpointRefused['reason'], TranslationKey> = {
  url: 'endpoint.error.url', https: 'endpoint.error.https', private: 'endpoint.error.private', none: 'endpoint.error.none',
  state: 'endpoint.error.state', hours: 'endpoint.error.hours', host: 'endpoint.error.host',
}

/** A refused service step, shown on the editor; another agency's service (or none) is 404. */
function refusedStep(e: unknown): ServiceRefused {
  if (!(e instanceof ServiceRefused)) throw e
  if (e.reason === 'not-found') throw new HttpError(404, 'error.notFound.title')
  return e
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)])
const integer = (value: unknown, fallback: number) => (value === undefined || value === '' ? fallback : /^\d{1,6}$/.test(String(value)) ? Number(value) : NaN)

export interface AgencySettingsDeps {
  keys: ApiKeys
  services: ServiceRegistration
  endpoints: Endpoints
  onboarding: AgencyOnboarding
  accounts: AccountService
  applications: ApplicationService
  catalogue: CatalogueService
}

/**
 * The agency administrator's pages: the agency's API keys, its endpoint (registration,
 * verification, secret rotation, health, suspension, its delivery log), its services
 * (drafts, review, status) and its officers.
 * Each works on the administrator's own agency only; nothing here takes an agency id.
 */
export function agencySettingsRoutes(deps: AgencySettingsDeps): Router {
  const { keys, endpoints, applications } = deps
  const router = Router()
  router.use(['/agency/settings', '/agency/keys', '/agency/endpoint', '/agency/officers', '/agency/deliveries', '/agency/services'], noStore, allow('agency_admin'))

  async function ownAgency(req: Request) {
    const agency = req.user!.agencyId ? await deps.catalogue.agency(req.user!.agencyId) : undefined
    if (!agency) throw new HttpError(404, 'error.notFound.title')
    return agency
  }

  router.get('/agency/settings', async (req, res) => {
    const agency = await ownAgency(req)
    res.render('pages/agency-admin/settings', {
      agency, endpoint: await endpoints.endpoint(agency.id),
      keys: (await keys.list(agency.id)).filter((k) => !k.revokedAt && Date.parse(k.expiresAt) > Date.now()),
    })
  })

  async function renderKeys(req: Request, res: Response, error?: { field: string, key: TranslationKey }, typed: Record<string, unknown> = {}) {
    const agency = await ownAgency(req)
    res.status(error ? 422 : 200).render('pages/agency-admin/keys', {
      agency, keys: await keys.list(agency.id), scopes, keyLifetimeDays, rotationGraceHours, error, typed, now: Date.now(),
    })
  }

  router.get('/agency/keys', (req, res) => renderKeys(req, res))

  router.post('/agency/keys', async (req, res) => {
    const agency = await ownAgency(req)
    const body = req.body ?? {}
    const typed = { name: String(body.name ?? ''), scopes: list(body.scopes), environment: String(body.environment ?? 'live'), expiresInDays: String(body.expiresInDays ?? ''), ipAllowlist: String(body.ipAllowlist ?? '') }
    try {
      const issued = await keys.create(agency.id, {
        name: typed.name, scopes: typed.scopes, environment: typed.environment, ipAllowlist: typed.ipAllowlist,
        expiresInDays: integer(body.expiresInDays, keyLifetimeDays.default),
      }, req.user!.id, requestContext(req))
      res.render('pages/agency-admin/keyCreated', { agency, key: issued.key, token: issued.token, oldKeyWorksUntil: null })
    } catch (e) {
      if (!(e instanceof KeyRefused)) throw e
      return renderKeys(req, res, { field: e.field, key: keyErrors[e.field] }, typed)
    }
  })

  router.post('/agency/keys/:id/revoke', async (req, res) => {
    const agency = await ownAgency(req)
    try {
      await keys.revoke(agency.id, String(req.params['id']), req.user!.id, requestContext(req))
    } catch (e) {
      if (e instanceof KeyRefused) throw new HttpError(404, 'error.notFound.title')
      throw e
    }
    res.redirect(303, '/agency/keys')
  })

  router.post('/agency/keys/:id/rotate', async (req, res) => {
    const agency = await ownAgency(req)
    try {
      const issued = await keys.rotate(agency.id, String(req.params['id']), integer(req.body?.graceHours, rotationGraceHours.default), req.user!.id, requestContext(req))
      res.render('pages/agency-admin/keyCreated', { agency, key: issued.key, token: issued.token, oldKeyWorksUntil: issued.oldKeyWorksUntil })
    } catch (e) {
      if (!(e instanceof KeyRefused)) throw e
      if (e.field === 'key' && e.message === 'no such key') throw new HttpError(404, 'error.notFound.title')
      return renderKeys(req, res, { field: 'graceHours', key: keyErrors[e.field] })
    }
  })

  async function renderEndpoint(req: Request, res: Response, notice: { error?: TranslationKey, detail?: string, verified?: boolean } = {}, status = 200, typedUrl = '') {
    const agency = await ownAgency(req)
    const endpoint = await endpoints.endpoint(agency.id)
    res.status(status).render('pages/agency-admin/endpoint', {
      agency, endpoint, health: endpoint ? await endpoints.health(agency.id) : undefined, notice, typedUrl, secretOverlapHours,
      stuck: await applications.stuckDeliveries(agency.id), log: await applications.deliveryLog({ agencyId: agency.id, limit: 50 }),
    })
  }

  router.get('/agency/endpoint', (req, res) => renderEndpoint(req, res, { verified: req.query['verified'] === '1' }))

  /** A refused endpoint action: the page again with the reason, in the reader's language. */
  async function refused(req: Request, res: Response, e: unknown, typedUrl = '') {
    if (!(e instanceof EndpointRefused)) throw e
    return renderEndpoint(req, res, { error: endpointErrors[e.reason] }, 422, typedUrl)
  }

  router.post('/agency/endpoint', async (req, res) => {
    const agency = await ownAgency(req)
    const url = String(req.body?.url ?? '').trim()
    try {
      const registered = await endpoints.register(agency.id, url, req.user!.id, requestContext(req))
      res.render('pages/agency-admin/secret', { agency, url: registered.url, secret: registered.secret, previousWorksUntil: null })
    } catch (e) {
      return refused(req, res, e, url)
    }
  })

  router.post('/agency/endpoint/verify', async (req, res) => {
    const agency = await ownAgency(req)
    try {
      const error = await endpoints.verify(agency.id, req.user!.id, requestContext(req))
      if (error) return renderEndpoint(req, res, { error: 'endpoint.error.verification', detail: error }, 422)
    } catch (e) {
      return refused(req, res, e)
    }
    res.redirect(303, '/agency/endpoint?verified=1')
  })

  router.post('/agency/endpoint/rotate', async (req, res) => {
    const agency = await ownAgency(req)
    try {
      const rotated = await endpoints.rotateSecret(agency.id, integer(req.body?.overlapHours, secretOverlapHours.default), req.user!.id, requestContext(req))
      const endpoint = await endpoints.endpoint(agency.id)
      res.render('pages/agency-admin/secret', { agency, url: endpoint!.url, secret: rotated.secret, previousWorksUntil: rotated.previousWorksUntil })
    } catch (e) {
      return refused(req, res, e)
    }
  })

  for (const action of ['suspend', 'resume'] as const) {
    router.post(`/agency/endpoint/${action}`, async (req, res) => {
      const agency = await ownAgency(req)
      try {
        await endpoints[action](agency.id, req.user!.id, requestContext(req))
      } catch (e) {
        return refused(req, res, e)
      }
      res.redirect(303, '/agency/endpoint')
    })
  }

  router.post('/agency/deliveries/:id/redeliver', async (req, res) => {
    const agency = await ownAgency(req)
    if (!(await applications.redeliver(String(req.params['id']), req.user!.id, requestContext(req), agency.id))) throw new HttpError(404, 'error.notFound.title')
    res.redirect(303, '/agency/endpoint')
  })

  async function renderOfficers(req: Request, res: Response, error?: TranslationKey, typed: Record<string, string> = {}, invited?: string) {
    const agency = await ownAgency(req)
    res.status(error ? 422 : 200).render('pages/agency-admin/officers', { agency, staff: await deps.accounts.staffOf(agency.id), error, typed, invited })
  }

  router.get('/agency/officers', (req, res) => renderOfficers(req, res, undefined, {}, typeof req.query['invited'] === 'string' ? req.query['invited'] : undefined))

  router.post('/agency/officers', async (req, res) => {
    const agency = await ownAgency(req)
    const { typed, problem } = invitationInput(req.body)
    if (problem) return renderOfficers(req, res, problem, typed)
    try {
      await deps.onboarding.invite(agency.id, 'officer', typed, emailTexts(res.locals.t), req.user!.id)
    } catch (e) {
      if (!(e instanceof AccountRefused)) throw e
      return renderOfficers(req, res, 'invite.error.taken', typed)
    }
    res.redirect(303, `/agency/officers?invited=${encodeURIComponent(typed.email)}`)
  })

  router.get('/agency/services', async (req, res) => {
    const agency = await ownAgency(req)
    const inForce = await deps.catalogue.find({ agency: agency.id, page: 1, pageSize: 100, lang: res.locals.lang })
    res.render('pages/agency-admin/services', { agency, inForce: inForce.items, versions: await deps.services.latestOfAgency(agency.id) })
  })

  async function renderService(req: Request, res: Response, serviceId: string, problem?: ServiceRefused, typed?: string) {
    const agency = await ownAgency(req)
    const found = await deps.services.versions(agency.id, serviceId).catch((e: unknown) => {
      if (e instanceof ServiceRefused && e.reason === 'not-found') throw new HttpError(404, 'error.notFound.title')
      throw e
    })
    // A new id opens the editor with a template to fill in.
    const content = typed ?? JSON.stringify(found.versions[0]?.content ?? serviceTemplate(serviceId), null, 2)
    res.status(problem ? (problem.reason === 'invalid' ? 422 : 409) : 200).render('pages/agency-admin/service', {
      agency, serviceId, service: found.service, versions: found.versions, content, problem, saved: req.query['saved'],
    })
  }

  router.get('/agency/services/new', (req, res) => {
    const id = typeof req.query['id'] === 'string' && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(req.query['id']) ? req.query['id'] : ''
    if (!id) return res.status(422).render('pages/agency-admin/serviceNew')
    res.redirect(303, `/agency/services/${id}`)
  })

  router.get('/agency/services/:id', async (req, res) => {
    const id = String(req.params['id'])
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new HttpError(404, 'error.notFound.title')
    await renderService(req, res, id)
  })

  router.post('/agency/services/:id', async (req, res) => {
    const agency = await ownAgency(req)
    const id = String(req.params['id'])
    const text = String(req.body?.content ?? '')
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (e) {
      return renderService(req, res, id, new ServiceRefused('invalid', [{ path: '(JSON)', message: e instanceof Error ? e.message : 'not JSON' }]), text)
    }
    try {
      await deps.services.saveDraft(agency.id, id, parsed, req.user!.id, requestContext(req))
    } catch (e) {
      return renderService(req, res, id, refusedStep(e), text)
    }
    res.redirect(303, `/agency/services/${id}?saved=draft`)
  })

  router.post('/agency/services/:id/submit', async (req, res) => {
    const agency = await ownAgency(req)
    const id = String(req.params['id'])
    try {
      await deps.services.submit(agency.id, id, req.user!.id, requestContext(req))
    } catch (e) {
      return renderService(req, res, id, refusedStep(e))
    }
    res.redirect(303, `/agency/services/${id}?saved=submitted`)
  })

  router.post('/agency/services/:id/status', async (req, res) => {
    const agency = await ownAgency(req)
    const id = String(req.params['id'])
    const status = String(req.body?.status ?? '') as ServiceStatus
    try {
      await deps.services.setStatus(agency.id, id, status, req.user!.id, requestContext(req))
    } catch (e) {
      return renderService(req, res, id, refusedStep(e))
    }
    res.redirect(303, `/agency/services/${id}?saved=${status}`)
  })

  return router
}

/** What a new service's editor starts from: every field the manifest format asks for, to be filled in. */
function serviceTemplate(id: string) {
  const three = (vi: string, en: string, fr: string) => ({ vi, en, fr })
  return {
    id,
    name: three('', '', ''),
    description: three('', '', ''),
    documents: [three('Căn cước công dân', 'Citizen identity card', 'Carte d’identité')],
    fee: { vnd: 0 },
    processingDays: 5,
    onlineLevel: 'full',
    applicants: ['citizen'],
    lifeEvents: [],
    legalBasis: '',
    form: {
      profileFields: ['fullName'],
      pages: [{ id: 'thong-tin', title: three('Thông tin', 'Details', 'Renseignements'), fields: [
        { id: 'ghiChu', type: 'text', multiline: true, label: three('Nội dung đề nghị', 'What you ask for', 'Votre demande'), required: true },
      ] }],
      declaration: three('Tôi cam đoan những thông tin trên là đúng sự thật.', 'I declare that the information above is true.', 'Je déclare sur l’honneur que les informations ci-dessus sont exactes.'),
    },
  }
}
