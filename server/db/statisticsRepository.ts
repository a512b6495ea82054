import { sql } from 'kysely'
import { clockHistory, type ClockEvent } from '../domain/statistics/figures.js'
import type { ApplicationFact, DeliveryFact, RatingFact, ServiceFact, StatisticsRepository } from '../domain/statistics/model.js'
import type { Db } from './database.js'
import { kyselyOf } from './unitOfWork.js'

const openStatuses = ['received', 'in_review', 'info_requested'] as const
/** Rows per read: small enough that a national year of applications never sits in memory at once. */
const chunk = 2_000

export function createStatisticsRepository(db: Db): StatisticsRepository {
  return {
    async* applications(since) {
      for (let after = ''; ;) {
        // Keyset pages in id order: the applications a figure of the period can count, and every one still with its agency.
        const apps = await db.selectFrom('applications')
          .select(['id', 'service_id', 'agency_id', 'status', 'created_at', 'submitted_at', 'decided_at', 'due_on'])
          .where('id', '>', after)
          .where((eb) => eb.or([
            eb('created_at', '>=', since), eb('submitted_at', '>=', since), eb('decided_at', '>=', since), eb('status', 'in', [...openStatuses]),
          ]))
          .orderBy('id').limit(chunk).execute()
        if (!apps.length) return
        after = apps.at(-1)!.id
        const ids = apps.map((a) => a.id)
        const [events, results] = await Promise.all([
          db.selectFrom('application_events')
            .select(['application_id', 'at', 'from_status', 'to_status', 'kind'])
            .where('application_id', 'in', ids)
            .where((eb) => eb.or([eb('to_status', 'in', ['received', 'info_requested']), eb('from_status', '=', 'info_requested'), eb('kind', '=', 'apology')]))
            .orderBy('application_id').orderBy('id').execute(),
          db.selectFrom('results').select('application_id').where('revoked_at', 'is', null).where('application_id', 'in', ids).execute(),
        ])
        const eventsOf = new Map<string, ClockEvent[]>()
        for (const e of events) {
          let list = eventsOf.get(e.application_id)
          if (!list) eventsOf.set(e.application_id, list = [])
          list.push({ at: e.at, from: e.from_status, to: e.to_status, kind: e.kind })
        }
        const issued = new Set(results.map((r) => r.application_id))
        yield apps.map((a): ApplicationFact => ({
          serviceId: a.service_id, agencyId: a.agency_id, status: a.status, createdAt: a.created_at, submittedAt: a.submitted_at,
          decidedAt: a.decided_at, dueOn: a.due_on, resultIssued: issued.has(a.id), ...clockHistory(eventsOf.get(a.id) ?? []),
        }))
      }
    },

    async* ratings(since) {
      for (let after = ''; ;) {
        const rows = await db.selectFrom('satisfaction').select(['application_id', 'service_id', 'agency_id', 'score', 'answered_at'])
          .where('answered_at', '>=', since).where('application_id', '>', after).orderBy('application_id').limit(chunk).execute()
        if (!rows.length) return
        after = rows.at(-1)!.application_id
        yield rows.map((r): RatingFact => ({ serviceId: r.service_id, agencyId: r.agency_id, score: scoreOf(r.score), answeredAt: r.answered_at }))
      }
    },

    async* deliveries(since) {
      for (let after = ''; ;) {
        // One row per application sent to an agency's own endpoint (its outbox item), once the sending has finished.
        const rows = await db.selectFrom('deliveries as d').innerJoin('applications as a', 'a.id', 'd.application_id')
          .select(['d.outbox_id', 'd.agency_id', 'a.service_id'])
          .select((eb) => [
            eb.fn.min('d.at').as('first_at'),
            eb.fn.min(sql<number | null>`case when d.outcome = 'accepted' then d.attempt end`).as('accepted_attempt'),
            eb.fn.max(sql<number>`case when d.outcome in ('accepted', 'final', 'dead') then 1 else 0 end`).as('settled'),
          ])
          .where('d.target', 'like', 'http%').where('d.at', '>=', since).where('d.outbox_id', '>', after)
          .groupBy(['d.outbox_id', 'd.agency_id', 'a.service_id']).orderBy('d.outbox_id').limit(chunk).execute()
        if (!rows.length) return
        after = rows.at(-1)!.outbox_id
        yield rows.filter((d) => Number(d.settled) === 1).map((d): DeliveryFact => ({
          serviceId: d.service_id, agencyId: d.agency_id, firstAttemptAt: String(d.first_at),
          delivered: d.accepted_attempt !== null, firstAttempt: d.accepted_attempt !== null && Number(d.accepted_attempt) === 1,
        }))
      }
    },

    async services() {
      const rows = await db.selectFrom('services')
        .select(['id', 'agency_id', 'fee_vnd', 'fee_note', 'processing_days', 'documents', 'legal_basis', 'online_level'])
        .select(sql<number | boolean>`form is not null`.as('has_form'))
        .where('status', '=', 'active').execute()
      return rows.map((s): ServiceFact => ({
        id: s.id, agencyId: s.agency_id,
        informationComplete: (s.fee_vnd !== null || s.fee_note !== null) && s.processing_days !== null && s.legal_basis !== null && hasDocuments(s.documents),
        fullyOnline: Boolean(s.has_form) && s.online_level === 'full',
      }))
    },

    async rate(tx, r) {
      const result = await kyselyOf(tx).insertInto('satisfaction').values({
        application_id: r.applicationId, service_id: r.serviceId, agency_id: r.agencyId, score: r.score, comment: r.comment, answered_at: r.at,
      }).onConflict((oc) => oc.column('application_id').doNothing()).executeTakeFirst()
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
    },

    async answer(applicationId) {
      const row = await db.selectFrom('satisfaction').select(['score', 'comment', 'answered_at']).where('application_id', '=', applicationId).executeTakeFirst()
      return row && { score: scoreOf(row.score), comment: row.comment, answeredAt: row.answered_at }
    },

    async ratingsFor(agencyId, limit) {
      const rows = await db.selectFrom('satisfaction as s').innerJoin('applications as a', 'a.id', 's.application_id')
        .select(['a.reference', 's.service_id', 's.score', 's.comment', 's.answered_at'])
        .where('s.agency_id', '=', agencyId).where((eb) => eb.or([eb('s.score', 'is not', null), eb('s.comment', 'is not', null)]))
        .orderBy('s.answered_at', 'desc').limit(limit).execute()
      return rows.map((r) => ({ reference: r.reference, serviceId: r.service_id, score: scoreOf(r.score), comment: r.comment, answeredAt: r.answered_at }))
    },
  }
}

/** PostgreSQL's smallint arrives as a number; kept a number either way. */
const scoreOf = (score: number | null) => (score === null ? null : Number(score))

const hasDocuments = (json: string): boolean => {
  try {
    const list: unknown = JSON.parse(json)
    return Array.isArray(list) && list.length > 0
  } catch {
    return false
  }
}
