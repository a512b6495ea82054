import type { User } from './model.js'
import type { IdentityRepository } from './repository.js'
import type { RequestContext } from './accountService.js'
import type { BusinessRegistry } from './businessRegistry.js'
import { enterpriseCodeProblem, normaliseEnterpriseCode } from './enterpriseCode.js'

export type LinkOutcome =
  | { ok: true, code: string, name: string }
  | { ok: false, reason: 'format' | 'checkDigit' | 'notFound' | 'inactive' | 'notRepresentative' | 'unverified' }

/**
 * Who may act for which business. Representation rests on the registry naming the
 * person's citizen ID as the legal representative, and on that ID having been vouched
 * for by the national identity provider (a typed ID proves nothing).
 */
export function createBusinessService(deps: { repo: IdentityRepository, registry: BusinessRegistry }) {
  const { repo, registry } = deps
  return {
    representations: (userId: string) => repo.representationsOf(userId),

    async link(user: User, input: string, ctx: RequestContext): Promise<LinkOutcome> {
      const code = normaliseEnterpriseCode(input)
      const problem = enterpriseCodeProblem(code)
      if (problem) return { ok: false, reason: problem }
      if (!user.citizenId || !user.verifiedFields.includes('citizenId')) return { ok: false, reason: 'unverified' }
      const enterprise = await registry.find(code)
      if (!enterprise) return { ok: false, reason: 'notFound' }
      if (enterprise.status !== 'active') return { ok: false, reason: 'inactive' }
      if (enterprise.representativeCitizenId !== user.citizenId) {
        await repo.audit({ action: 'business.link-refused', actorId: user.id, subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId, detail: { enterprise: code } })
        return { ok: false, reason: 'notRepresentative' }
      }
      await repo.addRepresentation(user.id, code, enterprise.name)
      await repo.audit({ action: 'business.linked', actorId: user.id, subjectId: user.id, onBehalfOf: code, ip: ctx.ip, requestId: ctx.requestId, detail: { enterprise: code } })
      return { ok: true, code, name: enterprise.name }
    },

    async unlink(userId: string, code: string, ctx: RequestContext): Promise<boolean> {
      const removed = await repo.removeRepresentation(userId, code)
      if (removed) await repo.audit({ action: 'business.unlinked', actorId: userId, subjectId: userId, onBehalfOf: code, ip: ctx.ip, requestId: ctx.requestId })
      return removed
    },

    /**
     * The business the person may act for, checked again against the registry, since a
     * representative can be replaced at any time. Undefined when not (or no longer) so.
     */
    async actingFor(user: User, code: string): Promise<{ code: string, name: string } | undefined> {
      const linked = (await repo.representationsOf(user.id)).find((r) => r.enterpriseCode === code)
      if (!linked) return undefined
      const enterprise = await registry.find(code)
      if (!enterprise || enterprise.status !== 'active' || enterprise.representativeCitizenId !== user.citizenId) return undefined
      return { code, name: enterprise.name }
    },

    async startedActingFor(user: User, code: string | null, ctx: RequestContext): Promise<void> {
      await repo.audit({
        action: code ? 'business.acting-for' : 'business.acting-as-self', actorId: user.id, subjectId: user.id,
        onBehalfOf: code, ip: ctx.ip, requestId: ctx.requestId,
      })
    },
  }
}

export type BusinessService = ReturnType<typeof createBusinessService>
