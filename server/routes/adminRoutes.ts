import { Router, type Request, type Response } from 'express'
import type { ApplicationService } from '../domain/applications/applicationService.js'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { AccountRefused, roles, type AccountService } from '../domain/identity/accountService.js'
import type { TranslationKey } from '../i18n/messages.js'
import { HttpError } from '../web/httpErrors.js'
import { requestContext } from '../web/requestContext.js'
import { allow } from '../web/setUpAuth.js'
import { noStore } from '../web/setUpWebSecurity.js'

const roleRefusals: Record<string, TranslationKey> = {
  'own-role': 'admin.error.ownRole',
  role: 'admin.error.role',
  agency: 'admin.error.agency',
}

/** The portal administrator's pages: people and their roles, stuck deliveries. */
export function adminRoutes(deps: { accounts: AccountService, catalogue: CatalogueService, applications: ApplicationService }): Router {
  const { accounts, catalogue, applications } = deps
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

  router.post('/admin/deliveries/:id/redeliver', async (req, res) => {
    const agencyId = String(req.body?.agencyId ?? '')
    if (!(await applications.redeliver(String(req.params['id']), agencyId, req.user!.id, requestContext(req)))) throw new HttpError(404, 'error.notFound.title')
    res.redirect(303, '/admin/deliveries')
  })

  router.get('/admin/users/:id', (req, res) => renderUser(req, res))

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
