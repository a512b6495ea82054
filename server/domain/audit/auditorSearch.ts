// The auditor's console: one search over the request log and the audit trail, with the
// names of who and what, and exports. Storage implements the port
// (server/db/auditorRepository.ts); the web layer shows it (server/routes/auditRoutes.ts).
import type { RequestContext } from '../identity/accountService.js'
import type { AuditLog } from '../ports.js'
import type { StoredEntry } from './model.js'
import type { RequestRow } from './requestLog.js'

export interface AuditFilter {
  /** account ids: what they did (actor, user) and what was done to them (subject) */
  people?: string[]
  /** only entries about this account (its data-use page) */
  subject?: string
  /** any of these actions */
  actions?: readonly string[]
  reference?: string
  requestId?: string
  agency?: string
  action?: string
  /** ISO instants, from inclusive, to exclusive */
  from?: string
  to?: string
  /** an exact status (404) or a class (4 for 4xx) */
  status?: number
}

/** An audit entry as the console shows it: its detail read as JSON. */
export interface EventRow extends Omit<StoredEntry, 'detail' | 'leafHash'> {
  detail: Record<string, unknown>
}

export interface LoggedRequest extends RequestRow { id: number }

export interface Person { id: string, fullName: string | null, email: string | null, role: string, agencyId: string | null }

/** What ids in a page stand for: people, agencies, API keys, businesses. */
export interface Names {
  people: Map<string, Person>
  agencies: Map<string, { vi: string, en: string, fr: string }>
  keys: Map<string, { name: string, agencyId: string }>
  services: Map<string, { vi: string, en: string, fr: string }>
}

export interface AuditorRepository {
  /** accounts whose email or citizen ID number is exactly this, or whose name holds it (folded) */
  findPeople(text: string, limit: number): Promise<Person[]>
  /** newest first; `before` an id to page back from */
  events(filter: AuditFilter, options: { before?: number, limit: number }): Promise<EventRow[]>
  requests(filter: AuditFilter, options: { before?: number, limit: number }): Promise<LoggedRequest[]>
  namesOf(ids: { people: string[], agencies: string[], keys: string[], services: string[] }): Promise<Names>
}

/** An Agency API key as an actor is `api-key:<id>` (server/routes/agencyApiRoutes.ts). */
export const keyIdOf = (actorId: string | null): string | null => (actorId?.startsWith('api-key:') ? actorId.slice('api-key:'.length) : actorId)

export class ReasonRequired extends Error {}

export const pageSize = 50

export interface AuditorPage {
  /** the people a person search found (empty without one) */
  people: Person[]
  events: EventRow[]
  requests: LoggedRequest[]
  names: Names
  olderEvents?: number
  olderRequests?: number
}

export interface Auditor { id: string, name: string }

function idsIn(events: EventRow[], requests: LoggedRequest[], people: Person[]) {
  const set = { people: new Set<string>(), agencies: new Set<string>(), keys: new Set<string>(), services: new Set<string>() }
  const add = (to: Set<string>, value: unknown) => { if (typeof value === 'string' && value) to.add(value) }
  for (const e of events) {
    add(set.people, e.actorId)
    add(set.people, e.subjectId)
    add(set.agencies, e.agencyId)
    add(set.agencies, e.detail['fromAgency'])
    add(set.keys, e.detail['key'])
    add(set.keys, keyIdOf(e.actorId))
    add(set.services, e.detail['service'])
  }
  for (const r of requests) {
    add(set.people, r.userId)
    add(set.agencies, r.agencyId)
    add(set.keys, r.apiKeyId)
  }
  for (const p of people) add(set.agencies, p.agencyId)
  return { people: [...set.people], agencies: [...set.agencies], keys: [...set.keys], services: [...set.services] }
}

/**
 * Searching by a person is reading their data: it needs a reason, and each search is an
 * audit entry (data.read, by the auditor, with the reason) that the person sees on
 * their data-use page. Exports are audit entries too.
 */
export function createAuditorSearch(deps: { repo: AuditorRepository, audit: AuditLog }) {
  const { repo, audit } = deps

  async function peopleFor(
    person: string | undefined, reason: string | undefined, auditor: Auditor, ctx: RequestContext, purpose: string,
  ): Promise<Person[] | undefined> {
    if (!person) return undefined
    if (!reason || reason.trim().length < 5) throw new ReasonRequired()
    const people = await repo.findPeople(person, 20)
    for (const p of people) {
      await audit.record({
        action: 'data.read', actorId: auditor.id, subjectId: p.id, ip: ctx.ip, requestId: ctx.requestId,
        detail: { by: 'auditor', name: auditor.name, reason: reason.trim().slice(0, 300), purpose },
      })
    }
    return people
  }

  return {
    async search(
      input: { person?: string, reason?: string, filter: AuditFilter, beforeEvent?: number, beforeRequest?: number }, auditor: Auditor, ctx: RequestContext,
    ): Promise<AuditorPage> {
      const people = await peopleFor(input.person, input.reason, auditor, ctx, 'search')
      const filter: AuditFilter = people ? { ...input.filter, people: people.map((p) => p.id) } : input.filter
      const nobody = people !== undefined && people.length === 0
      const [events, requests] = nobody ? [[], []] : await Promise.all([
        repo.events(filter, { before: input.beforeEvent, limit: pageSize + 1 }),
        repo.requests(filter, { before: input.beforeRequest, limit: pageSize + 1 }),
      ])
      const shown = { events: events.slice(0, pageSize), requests: requests.slice(0, pageSize) }
      return {
        people: people ?? [], ...shown,
        names: await repo.namesOf(idsIn(shown.events, shown.requests, people ?? [])),
        ...(events.length > pageSize ? { olderEvents: shown.events.at(-1)!.id } : {}),
        ...(requests.length > pageSize ? { olderRequests: shown.requests.at(-1)!.id } : {}),
      }
    },

    /**
     * Everything the filter finds, oldest page last, in pages with their names, for a
     * streamed export; recorded first as an audit entry with the filter and the format.
     */
    async* exportRows(input: { person?: string, reason?: string, filter: AuditFilter }, format: 'csv' | 'ndjson', auditor: Auditor, ctx: RequestContext) {
      const people = await peopleFor(input.person, input.reason, auditor, ctx, 'export')
      const filter: AuditFilter = people ? { ...input.filter, people: people.map((p) => p.id) } : input.filter
      const { people: _ids, ...shown } = filter
      await audit.record({
        action: 'audit.exported', actorId: auditor.id, ip: ctx.ip, requestId: ctx.requestId,
        detail: { format, filter: shown, people: people?.length ?? null, ...(input.reason ? { reason: input.reason.trim().slice(0, 300) } : {}) },
      })
      if (people !== undefined && people.length === 0) return
      for (let before: number | undefined; ;) {
        const events = await repo.events(filter, { before, limit: 500 })
        if (events.length === 0) break
        yield { events, requests: [] as LoggedRequest[], names: await repo.namesOf(idsIn(events, [], [])) }
        before = events.at(-1)!.id
      }
      for (let before: number | undefined; ;) {
        const requests = await repo.requests(filter, { before, limit: 500 })
        if (requests.length === 0) break
        yield { events: [] as EventRow[], requests, names: await repo.namesOf(idsIn([], requests, [])) }
        before = requests.at(-1)!.id
      }
    },
  }
}

export type AuditorSearch = ReturnType<typeof createAuditorSearch>
