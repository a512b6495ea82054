import type { AuditLog } from '../ports.js'
import type { RequestContext } from '../identity/accountService.js'
import type { ApplicationRepository } from './repository.js'

/** What an administrator sees of deliveries to agencies, and sends again. */
export function createDeliveries(deps: { repo: ApplicationRepository, audit: AuditLog, wake: () => void }) {
  const { repo, audit } = deps
  return {
    stuckDeliveries: () => repo.stuckDeliveries(),
    deliveryLog: () => repo.deliveryLog(),

    /** An administrator sends a failed or dead-lettered delivery again (re-enabling a gone endpoint). */
    async redeliver(outboxId: string, agencyId: string, actorId: string, ctx: RequestContext): Promise<boolean> {
      await repo.enableEndpoint(agencyId)
      const ok = await repo.redeliver(outboxId)
      if (ok) {
        await audit.record({ action: 'delivery.redelivered', actorId, ip: ctx.ip, requestId: ctx.requestId, detail: { outbox: outboxId, agency: agencyId } })
        deps.wake()
      }
      return ok
    },

  }
}
