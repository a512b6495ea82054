import type { RequestContext } from '../identity/accountService.js'
import type { AuditLog } from '../ports.js'
import { serviceManifestSchema, type ServiceManifest } from './manifest.js'
import type { CatalogueRepository } from './repository.js'
import type { Service, ServiceStatus } from './types.js'

export type VersionState = 'draft' | 'in_review' | 'approved' | 'rejected'

/** One version of a service an agency registered, with its whole content in the manifest format. */
export interface ServiceVersion {
  serviceId: string
  version: number
  agencyId: string
  state: VersionState
  content: ServiceManifest
  createdBy: string
  createdAt: string
  updatedAt: string
  submittedBy: string | null
  submittedAt: string | null
  reviewedBy: string | null
  reviewedAt: string | null
  reviewNote: string | null
}

export type ServiceRefusal =
  | 'not-found' | 'manifest' | 'in-review' | 'not-draft' | 'not-in-review' | 'own-review' | 'note' | 'status' | 'invalid'

/** Why a registration step was refused; `fields` names what failed validation, by path ("form.pages.0.id"). */
export class ServiceRefused extends Error {
  constructor(readonly reason: ServiceRefusal, readonly fields: Array<{ path: string, message: string }> = []) {
    super(reason)
  }
}

/** The moves of a service in force: suspended and back, or retired for good. */
const statusMoves: Record<ServiceStatus, ServiceStatus[]> = { active: ['suspended', 'retired'], suspended: ['active', 'retired'], retired: [] }

/**
 * Agencies register and edit their own services: the content (names, description,
 * documents, fee, processing days, online level, applicants, legal basis, and the form)
 * in the manifests' format, checked by the same schema with the same field paths. A
 * version goes draft → in review → approved by a portal administrator who neither wrote
 * nor submitted it (four eyes), and only then is in force; editing a service in force
 * makes the next version, which goes live on its approval, while every application keeps
 * the version it was made with. Services from a manifest stay managed by their folder.
 */
export function createServiceRegistration(deps: { repo: CatalogueRepository, audit: AuditLog }) {
  const { repo, audit } = deps
  const now = () => new Date().toISOString()
  const record = (action: string, actorId: string, ctx: RequestContext | undefined, v: ServiceVersion, extra: Record<string, unknown> = {}) =>
    audit.record({
      action, actorId, ip: ctx?.ip ?? null, requestId: ctx?.requestId ?? null,
      detail: { agency: v.agencyId, service: v.serviceId, version: v.version, ...extra },
    })

  /** The agency's own service and its newest version; a service of another agency is not found. */
  async function owned(agencyId: string, serviceId: string): Promise<{ service: Service | undefined, latest: ServiceVersion | undefined }> {
    const [service, versions] = await Promise.all([repo.findService(serviceId), repo.versionsOf(serviceId)])
    if (service && service.agency.id !== agencyId) throw new ServiceRefused('not-found')
    if (!service && versions[0] && versions[0].agencyId !== agencyId) throw new ServiceRefused('not-found')
    return { service, latest: versions[0] }
  }

  async function validate(serviceId: string, input: unknown): Promise<ServiceManifest> {
    const body = typeof input === 'object' && input !== null ? { ...input as Record<string, unknown> } : input
    if (typeof body === 'object' && body !== null && !('id' in body)) (body as Record<string, unknown>)['id'] = serviceId
    const parsed = serviceManifestSchema.safeParse(body)
    if (!parsed.success) {
      throw new ServiceRefused('invalid', parsed.error.issues.map((i) => ({ path: i.path.length ? i.path.join('.') : '(top level)', message: i.message })))
    }
    if (parsed.data.id !== serviceId) throw new ServiceRefused('invalid', [{ path: 'id', message: `must be ${serviceId}, as in the address` }])
    const known = new Set((await repo.listLifeEvents()).map((e) => e.id))
    const unknown = parsed.data.lifeEvents.filter((e) => !known.has(e))
    if (unknown.length) throw new ServiceRefused('invalid', unknown.map((e) => ({ path: 'lifeEvents', message: `no life event "${e}"` })))
    return parsed.data
  }

  return {
    /** Every version in review, oldest first, for the portal administrators. */
    inReview: () => repo.versionsInState('in_review'),
    latestOfAgency: (agencyId: string) => repo.latestVersionsOfAgency(agencyId),

    /** The service in force and its versions, newest first; both empty for an id not yet used; another agency's is not found. */
    async versions(agencyId: string, serviceId: string) {
      const { service } = await owned(agencyId, serviceId)
      return { service, versions: await repo.versionsOf(serviceId) }
    },

    /** The version of a service an application was made with (its form), when it is not the one in force. */
    version: (serviceId: string, version: number) => repo.serviceVersion(serviceId, version),

    /** Checks a draft as saveDraft would, writing nothing (a test key's dry run). */
    async check(agencyId: string, serviceId: string, input: unknown): Promise<ServiceManifest> {
      const { service } = await owned(agencyId, serviceId)
      if (service?.origin === 'manifest') throw new ServiceRefused('manifest')
      return validate(serviceId, input)
    },

    /** Creates or edits the service's draft: a new version when the newest is in force or was approved. */
    async saveDraft(agencyId: string, serviceId: string, input: unknown, actorId: string, ctx?: RequestContext): Promise<ServiceVersion> {
      if (!(await repo.findAgency(agencyId))) throw new ServiceRefused('not-found')
      const { service, latest } = await owned(agencyId, serviceId)
      if (service?.origin === 'manifest') throw new ServiceRefused('manifest')
      if (latest?.state === 'in_review') throw new ServiceRefused('in-review')
      const content = await validate(serviceId, input)
      const at = now()
      const editing = latest && (latest.state === 'draft' || latest.state === 'rejected')
      const version: ServiceVersion = editing
        ? { ...latest, content, state: 'draft', updatedAt: at, reviewedBy: null, reviewedAt: null, reviewNote: null }
        : {
            serviceId, version: (latest?.version ?? 0) + 1, agencyId, state: 'draft', content, createdBy: actorId, createdAt: at, updatedAt: at,
            submittedBy: null, submittedAt: null, reviewedBy: null, reviewedAt: null, reviewNote: null,
          }
      await repo.saveVersion(version)
      await record(editing ? 'service.draft-edited' : 'service.draft-created', actorId, ctx, version)
      return version
    },

    async submit(agencyId: string, serviceId: string, actorId: string, ctx?: RequestContext): Promise<ServiceVersion> {
      const { latest } = await owned(agencyId, serviceId)
      if (!latest) throw new ServiceRefused('not-found')
      if (latest.state !== 'draft' && latest.state !== 'rejected') throw new ServiceRefused('not-draft')
      const submitted: ServiceVersion = { ...latest, state: 'in_review', submittedBy: actorId, submittedAt: now(), updatedAt: now() }
      await repo.saveVersion(submitted)
      await record('service.submitted', actorId, ctx, submitted)
      return submitted
    },

    /**
     * A portal administrator approves (the version goes live at once, on every instance
     * within seconds) or rejects with a note; never one they wrote or submitted.
     */
    async review(serviceId: string, version: number, decision: { approve: boolean, note?: string | undefined }, adminId: string, ctx?: RequestContext) {
      const v = await repo.serviceVersion(serviceId, version)
      if (!v) throw new ServiceRefused('not-found')
      if (v.state !== 'in_review') throw new ServiceRefused('not-in-review')
      if (adminId === v.createdBy || adminId === v.submittedBy) throw new ServiceRefused('own-review')
      const note = decision.note?.trim().slice(0, 2000) || null
      if (!decision.approve && !note) throw new ServiceRefused('note')
      const reviewed: ServiceVersion = { ...v, state: decision.approve ? 'approved' : 'rejected', reviewedBy: adminId, reviewedAt: now(), reviewNote: note, updatedAt: now() }
      const agency = await repo.findAgency(v.agencyId)
      if (!agency) throw new ServiceRefused('not-found')
      await repo.inTransaction(async (tx) => {
        await repo.saveVersion(reviewed, tx)
        if (!decision.approve) return
        await repo.writeService(tx, v.content, agency, { version: v.version, origin: 'agency' })
        await repo.countChange(tx)
      })
      await record(decision.approve ? 'service.approved' : 'service.rejected', adminId, ctx, reviewed, note ? { note } : {})
      return reviewed
    },

    /** Suspends, resumes or retires a service in force: by its agency (`agencyId`) or a portal administrator (null). */
    async setStatus(agencyId: string | null, serviceId: string, status: ServiceStatus, actorId: string, ctx?: RequestContext) {
      const service = await repo.findService(serviceId)
      if (!service || (agencyId && service.agency.id !== agencyId)) throw new ServiceRefused('not-found')
      if (!statusMoves[service.status].includes(status)) throw new ServiceRefused('status')
      await repo.inTransaction(async (tx) => {
        await repo.setServiceStatus(tx, serviceId, status)
        await repo.countChange(tx)
      })
      await audit.record({
        action: `service.${status === 'active' ? 'resumed' : status}`, actorId, ip: ctx?.ip ?? null, requestId: ctx?.requestId ?? null,
        detail: { agency: service.agency.id, service: serviceId, from: service.status },
      })
    },
  }
}

export type ServiceRegistration = ReturnType<typeof createServiceRegistration>
