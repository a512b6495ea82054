import type { Kysely, SelectQueryBuilder } from 'kysely'
import type { AuditorRepository, EventRow, Names, Person } from '../domain/audit/auditorSearch.js'
import { fold } from '../domain/catalogue/textFolding.js'
import { toRequestRow } from './requestLogRepository.js'
import type { Database } from './schema.js'

// LIKE's wildcards are dropped from what was typed (SQLite has no default escape character).
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, '')

function statusRange(status: number): [number, number] {
  return status < 10 ? [status * 100, status * 100 + 100] : [status, status + 1]
}

const toPerson = (r: { id: string, full_name: string | null, email: string | null, role: string, agency_id: string | null }): Person => ({
  id: r.id, fullName: r.full_name, email: r.email, role: r.role, agencyId: r.agency_id,
})

/** The auditor's queries over audit_events and request_log, newest first, paged by id. */
export function createAuditorRepository(db: Kysely<Database>): AuditorRepository {
  return {
    async findPeople(text, limit) {
      const value = text.trim()
      const folded = fold(value)
      const rows = await db.selectFrom('users').select(['id', 'full_name', 'email', 'role', 'agency_id'])
        .where((eb) => eb.or([
          eb('email', '=', value.toLowerCase()),
          eb('citizen_id', '=', value),
          ...(folded.length >= 3 ? [eb('folded_name', 'like', `%${likeEscaped(folded)}%`)] : []),
        ]))
        .orderBy('full_name').limit(limit).execute()
      return rows.map(toPerson)
    },

    async events(filter, options) {
      let q = db.selectFrom('audit_events').leftJoin('audit_places', 'audit_places.event_id', 'audit_events.id')
        .selectAll('audit_events').select('audit_places.leaf_index').orderBy('id', 'desc').limit(options.limit)
      if (options.before) q = q.where('id', '<', options.before)
      if (filter.people) {
        const ids = filter.people
        q = q.where((eb) => eb.or([eb('actor_id', 'in', ids), eb('subject_id', 'in', ids)]))
      }
      if (filter.subject) q = q.where('subject_id', '=', filter.subject)
      if (filter.actions) q = q.where('action', 'in', filter.actions)
      if (filter.reference) q = q.where('reference', '=', filter.reference)
      if (filter.requestId) q = q.where('request_id', '=', filter.requestId)
      if (filter.agency) q = q.where('agency_id', '=', filter.agency)
      if (filter.action) q = q.where('action', '=', filter.action)
      if (filter.from) q = q.where('at', '>=', filter.from)
      if (filter.to) q = q.where('at', '<', filter.to)
      // Audit entries have no status: a status filter is for requests only, and finds
      // the entries those requests wrote.
      if (filter.status !== undefined) {
        const [low, high] = statusRange(filter.status)
        q = q.where('request_id', 'in', (sub) => sub.selectFrom('request_log').select('request_id').where('status', '>=', low).where('status', '<', high))
      }
      return (await q.execute()).map((r): EventRow => ({
        id: Number(r.id), at: r.at, action: r.action, actorId: r.actor_id, subjectId: r.subject_id, onBehalfOf: r.on_behalf_of, ip: r.ip,
        requestId: r.request_id, reference: r.reference, agencyId: r.agency_id, detail: r.detail ? JSON.parse(r.detail) as Record<string, unknown> : {},
        leafIndex: r.leaf_index === null ? null : Number(r.leaf_index),
      }))
    },

    async requests(filter, options) {
      let q: SelectQueryBuilder<Database, 'request_log', object> = db.selectFrom('request_log')
      q = options.before ? q.where('id', '<', options.before) : q
      if (filter.people) {
        const ids = filter.people
        // What they did, and the requests that read or changed their data.
        q = q.where((eb) => eb.or([
          eb('user_id', 'in', ids),
          eb('request_id', 'in', (sub) => sub.selectFrom('audit_events').select('request_id').where('subject_id', 'in', ids).where('request_id', 'is not', null)),
        ]))
      }
      if (filter.reference) {
        const reference = filter.reference
        q = q.where((eb) => eb.or([
          eb('path', 'like', `%/${likeEscaped(reference)}%`),
          eb('request_id', 'in', (sub) => sub.selectFrom('audit_events').select('request_id').where('reference', '=', reference).where('request_id', 'is not', null)),
        ]))
      }
      if (filter.requestId) q = q.where('request_id', '=', filter.requestId)
      if (filter.agency) q = q.where('agency_id', '=', filter.agency)
      if (filter.action) {
        const action = filter.action
        q = q.where('request_id', 'in', (sub) => sub.selectFrom('audit_events').select('request_id').where('action', '=', action).where('request_id', 'is not', null))
      }
      if (filter.from) q = q.where('at', '>=', filter.from)
      if (filter.to) q = q.where('at', '<', filter.to)
      if (filter.status !== undefined) {
        const [low, high] = statusRange(filter.status)
        q = q.where('status', '>=', low).where('status', '<', high)
      }
      return (await q.selectAll().orderBy('id', 'desc').limit(options.limit).execute()).map(toRequestRow)
    },

    async namesOf(ids): Promise<Names> {
      const [people, agencies, keys, services] = await Promise.all([
        ids.people.length ? db.selectFrom('users').select(['id', 'full_name', 'email', 'role', 'agency_id']).where('id', 'in', ids.people).execute() : [],
        ids.agencies.length ? db.selectFrom('agencies').select(['id', 'name_vi', 'name_en', 'name_fr']).where('id', 'in', ids.agencies).execute() : [],
        ids.keys.length ? db.selectFrom('api_keys').select(['id', 'name', 'agency_id']).where('id', 'in', ids.keys).execute() : [],
        ids.services.length ? db.selectFrom('services').select(['id', 'name_vi', 'name_en', 'name_fr']).where('id', 'in', ids.services).execute() : [],
      ])
      return {
        people: new Map(people.map((p) => [p.id, toPerson(p)])),
        agencies: new Map(agencies.map((a) => [a.id, { vi: a.name_vi, en: a.name_en, fr: a.name_fr }])),
        keys: new Map(keys.map((k) => [k.id, { name: k.name, agencyId: k.agency_id }])),
        services: new Map(services.map((s) => [s.id, { vi: s.name_vi, en: s.name_en, fr: s.name_fr }])),
      }
    },
  }
}
