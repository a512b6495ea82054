import type { AuditLog } from '../ports.js'
import type { RequestContext } from '../identity/accountService.js'
import type { ApplicationRepository } from './repository.js'

/** What an administrator sees of deliveries to agencies, and sends again. */
export function createDeliveries(deps: { repo: ApplicationRepository, audit: AuditLog, wake: () => void }) {
  const { repo, audit } = deps
  return {
    stuckDeliveries: (agencyId?: string) => repo.stuckDeliveries(agencyId),
    deliveryLog: (options?: { limit?: number, agencyId?: string | undefined, before?: number | undefined }) => repo.deliveryLog(options),

    /**
     * Sends a delivery again: an administrator, one that failed or was dead-lettered; an
     * agency (`ownAgency`), any of its own, delivered ones included. A suspended endpoint
     * still holds it until resumed.
     */
    async redeliver(outboxId: string, actorId: string, ctx: RequestContext, ownAgency?: string): Promise<boolean> {
      const ok = await repo.redeliver(outboxId, ownAgency)
      if (ok) {
        await audit.record({ action: 'delivery.redelivered', actorId, ip: ctx.ip, requestId: ctx.requestId, detail: { outbox: outboxId, agency: ownAgency ?? null } })
        deps.wake()
      }
      return ok
    },

  }
}
