import { Router } from 'express'
import { z } from 'zod'
import type { AccountService } from '../domain/identity/accountService.js'
import { allow } from '../web/setUpAuth.js'
import { noStore } from '../web/setUpWebSecurity.js'

const pageSize = 100
const auditQuery = z.object({
  before: z.coerce.number().int().positive().optional().catch(undefined),
  action: z.string().regex(/^[a-z.-]{1,60}$/).optional().catch(undefined),
})

/** The auditor's trail, newest first, paged back by id. */
export function auditRoutes(deps: { accounts: AccountService }): Router {
  const { accounts } = deps
  const router = Router()
  router.use('/audit', noStore, allow('auditor'))

  router.get('/audit', async (req, res) => {
    const query = auditQuery.parse(req.query)
    const events = await accounts.auditTrail({ before: query.before, action: query.action, limit: pageSize })
    res.render('pages/staff/audit', {
      events,
      action: query.action ?? '',
      older: events.length === pageSize ? Number(events[events.length - 1]!.id) : undefined,
    })
  })

  return router
}
