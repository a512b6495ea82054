import { Router } from 'express'
import { z } from 'zod'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { AccountRefused, roles, type AccountService } from '../domain/identity/accountService.js'
import type { TranslationKey } from '../i18n/messages.js'
import { HttpError } from '../web/httpErrors.js'
import { allow } from '../web/setUpAuth.js'
import { requestContext } from './signIn.js'

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
export function staffRoutes(deps: { accounts: AccountService, catalogue: CatalogueService }): Router {
  const { accounts, catalogue } = deps
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
    res.render('pages/staff/agency', { agency, services: services.items })
  })

  router.get('/audit', allow('auditor'), async (req, res) => {
    const query = auditQuery.parse(req.query)
    const events = await accounts.auditTrail({ before: query.before, action: query.action, limit: pageSize })
    res.render('pages/staff/audit', {
      events: events.map((e) => ({ ...e, detail: e.detail ? JSON.parse(e.detail) as Record<string, unknown> : {} })),
      action: query.action ?? '',
      older: events.length === pageSize ? Number(events[events.length - 1]!.id) : undefined,
    })
  })

  router.get('/admin', allow('admin'), async (req, res) => {
    const q = typeof req.query['q'] === 'string' ? req.query['q'].slice(0, 100) : ''
    res.render('pages/staff/users', { users: await accounts.searchUsers(q), q })
  })

  async function renderUser(id: string, res: import('express').Response, error?: TranslationKey, status = 200) {
    const person = await accounts.findUser(id)
    if (!person) throw new HttpError(404, 'error.notFound.title')
    const agencies = (await catalogue.home()).agencies
    res.status(status).render('pages/staff/user', { person, roles, agencies, error, history: await accounts.history(id) })
  }

  router.get('/admin/users/:id', allow('admin'), (req, res) => renderUser(String(req.params['id']), res))

  router.post('/admin/users/:id/role', allow('admin'), async (req, res) => {
    const id = String(req.params['id'])
    const role = String(req.body?.role ?? '')
    const agencyId = req.body?.agencyId ? String(req.body.agencyId) : undefined
    try {
      await accounts.changeRole(req.user!.id, id, { role, agencyId }, requestContext(req))
    } catch (e) {
      if (!(e instanceof AccountRefused)) throw e
      if (e.message === 'no such account') throw new HttpError(404, 'error.notFound.title')
      return renderUser(id, res, roleRefusals[e.message] ?? 'admin.error.role', 422)
    }
    res.redirect(303, `/admin/users/${encodeURIComponent(id)}?saved=1`)
  })

  return router
}
