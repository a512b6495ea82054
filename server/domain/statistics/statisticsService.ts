// The open statistics as a use case: a snapshot of the figures, computed from the
// portal's records at most an hour old (the page says when), shared by every request; the
// applicant's answer to "how satisfied are you"; the answers an agency reads.
import type { Application } from '../applications/model.js'
import { finalStatuses } from '../applications/model.js'
import type { CommitOne } from '../ports.js'
import { estimateOf, startSnapshot, lastTwelveMonths, publishScope, type Estimate, type PublishedScope, type Snapshot } from './figures.js'
import type { ServiceFact, StatisticsRepository } from './model.js'
import { agencyIndexes, indexOf, type Indicator } from './serviceIndex.js'

export interface StatisticsDeps {
  repo: StatisticsRepository
  commitOne: CommitOne
  clock?: (() => Date) | undefined
  /** how old a snapshot may be before the next request computes another (it serves the old one meanwhile) */
  refreshMs?: number
  onError?: (err: unknown) => void
  /** told how long each computation took and how many applications it read */
  onComputed?: (figures: { ms: number, applications: number }) => void
}

interface Computed {
  snapshot: Snapshot
  services: ServiceFact[]
  indexes: Map<string, Indicator[]>
}

export interface ScopeView extends PublishedScope {
  computedAt: string
  index: Indicator[]
}

/** A rating as the applicant gives it: a score from 1 to 5 or none, and a comment or none. */
export interface Rating { score: number | null, comment: string | null }

export function createStatistics(deps: StatisticsDeps) {
  const clock = deps.clock ?? (() => new Date())
  const refreshMs = deps.refreshMs ?? 60 * 60_000
  let current: Computed | undefined
  let pending: Promise<Computed> | undefined
  const listeners: Array<() => void> = []

  async function compute(): Promise<Computed> {
    const started = performance.now()
    const now = clock()
    // From the first day of the oldest of the 12 months (a day early, for the time zone).
    const since = new Date(`${lastTwelveMonths(now.toISOString().slice(0, 10))[0]}-01T00:00:00Z`)
    since.setUTCDate(since.getUTCDate() - 1)
    const from = since.toISOString()
    const tally = startSnapshot(now)
    // A chunk at a time, each tallied and dropped, with a turn of the event loop between reads.
    for await (const apps of deps.repo.applications(from)) for (const app of apps) tally.addApplication(app)
    for await (const ratings of deps.repo.ratings(from)) for (const rating of ratings) tally.addRating(rating)
    for await (const deliveries of deps.repo.deliveries(from)) for (const delivery of deliveries) tally.addDelivery(delivery)
    const services = await deps.repo.services()
    const snapshot = tally.finish()
    deps.onComputed?.({ ms: Math.round(performance.now() - started), applications: tally.applications })
    return { snapshot, services, indexes: agencyIndexes(snapshot, services) }
  }

  function refresh(): Promise<Computed> {
    pending ??= compute().then((computed) => {
      current = computed
      for (const listener of listeners) listener()
      return computed
    }).finally(() => { pending = undefined })
    return pending
  }

  async function latest(): Promise<Computed> {
    if (!current) return refresh()
    if (clock().getTime() - Date.parse(current.snapshot.computedAt) > refreshMs) refresh().catch((err: unknown) => deps.onError?.(err))
    return current
  }

  const view = (c: Computed, figures: PublishedScope, index: Indicator[]): ScopeView => ({ ...figures, computedAt: c.snapshot.computedAt, index })

  return {
    /** Computes the first snapshot (at start, so the first visitor does not wait). */
    prepare: () => refresh().then(() => undefined),
    /** Computes a new snapshot now (the tests; after the demo history is written). */
    refresh: () => refresh().then(() => undefined),
    /** Calls `listener` after each new snapshot (what was rendered from the old one is stale). */
    onRefresh: (listener: () => void) => { listeners.push(listener) },

    async portal(): Promise<ScopeView & { agencies: Array<{ id: string, received: number | null, index: Indicator[] }> }> {
      const c = await latest()
      const agencies = [...c.indexes].map(([id, index]) => ({ id, received: publishScope(c.snapshot, c.snapshot.agencies.get(id)).total.received, index }))
      return { ...view(c, publishScope(c.snapshot, c.snapshot.portal), indexOf(c.snapshot.portal, c.services)), agencies }
    },

    /** An agency's figures and index; undefined when it has no service in the catalogue. */
    async agency(agencyId: string): Promise<ScopeView | undefined> {
      const c = await latest()
      const index = c.indexes.get(agencyId)
      if (!index) return undefined
      return view(c, publishScope(c.snapshot, c.snapshot.agencies.get(agencyId)), index)
    },

    /** A service's figures; its index is that of its one service's catalogue entry. */
    async service(serviceId: string): Promise<ScopeView | undefined> {
      const c = await latest()
      const facts = c.services.filter((s) => s.id === serviceId)
      if (!facts.length) return undefined
      return view(c, publishScope(c.snapshot, c.snapshot.services.get(serviceId)), indexOf(c.snapshot.services.get(serviceId), facts))
    },

    /** Every scope, for the CSV: the portal, each agency, each service with any figure. */
    async everyScope(): Promise<{ computedAt: string, scopes: Array<{ kind: 'portal' | 'agency' | 'service', id: string, figures: PublishedScope }> }> {
      const c = await latest()
      const s = c.snapshot
      return {
        computedAt: s.computedAt,
        scopes: [
          { kind: 'portal', id: '', figures: publishScope(s, s.portal) },
          ...[...s.agencies].map(([id, figures]) => ({ kind: 'agency' as const, id, figures: publishScope(s, figures) })),
          ...[...s.services].map(([id, figures]) => ({ kind: 'service' as const, id, figures: publishScope(s, figures) })),
        ],
      }
    },

    /** "Half are decided within …, 9 in 10 within …" from the service's decisions of the last 6 months. */
    estimate: async (serviceId: string): Promise<Estimate> => estimateOf((await latest()).snapshot, serviceId),

    /** Whether to ask the applicant how satisfied they are: after a decision, until they answer or decline. */
    async asks(app: Application): Promise<boolean> {
      return (app.status === 'approved' || app.status === 'rejected') && !(await deps.repo.answer(app.id))
    },

    /**
     * The applicant's answer, once: 'notDecided' before a decision, 'already' after an
     * earlier answer (or refusal). A score outside 1–5 is the caller's to refuse.
     */
    async rate(app: Application, rating: Rating): Promise<'done' | 'already' | 'notDecided'> {
      if (!finalStatuses.includes(app.status) || app.status === 'withdrawn') return 'notDecided'
      const at = clock().toISOString()
      const done = await deps.commitOne((tx) => deps.repo.rate(tx, {
        applicationId: app.id, serviceId: app.serviceId, agencyId: app.agencyId, score: rating.score, comment: rating.comment, at,
      }))
      return done ? 'done' : 'already'
    },

    /** The applicant's own answer for an application, for "everything about me". */
    answerOf: (app: Application) => deps.repo.answer(app.id),

    /** The answers to an agency's applications, with their comments: for its staff, never published. */
    ratingsFor: (agencyId: string, limit = 100) => deps.repo.ratingsFor(agencyId, limit),
  }
}

export type Statistics = ReturnType<typeof createStatistics>
