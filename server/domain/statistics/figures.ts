// The open statistics (DESIGN.md, Statistics), computed from the portal's own records:
// per month over the last 12, for the whole portal, each agency and each service. Counts
// are kept exact here; `publish` suppresses those from 1 to 4 so that no person can be
// singled out, and every rate whose numerator or denominator is suppressed.
import { localDate, workingDaysBetween } from '../calendar/workingDays.js'
import type { ApplicationFact, DeliveryFact, RatingFact, StatisticsFacts } from './model.js'

/** Counts from 1 to this are published as null. */
export const smallestPublished = 5
/** Decisions a service needs over 6 months before its page gives an estimate. */
export const decisionsForEstimate = 10

/**
 * How many decisions took each number of working days: a histogram, so that a year of
 * a national portal's decisions takes a few hundred numbers per scope, not one each.
 */
export class DayCounts {
  private readonly counts = new Map<number, number>()
  size = 0

  add(days: number): void {
    this.counts.set(days, (this.counts.get(days) ?? 0) + 1)
    this.size++
  }

  /** The nearest-rank percentile: the smallest value that at least p of the decisions do not exceed. */
  percentile(p: number): number | null {
    if (!this.size) return null
    const rank = Math.max(1, Math.ceil(p * this.size))
    let seen = 0
    for (const days of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(days)!
      if (seen >= rank) return days
    }
    return null
  }
}

export interface Tally {
  started: number
  /** of those started in the period, submitted */
  completed: number
  received: number
  decided: number
  approved: number
  rejected: number
  withdrawn: number
  /** working days from receipt to decision, the applicant's waits excluded: how many decisions took each number */
  days: DayCounts
  /** decisions with a due date, and those decided by it without an apology */
  timed: number
  onTime: number
  /** approvals, and those whose result was issued electronically */
  withResult: number
  ratings: number
  ratingSum: number
  /** answers of 4 or 5 */
  satisfied: number
  /** applications sent to an agency's own endpoint; delivered; delivered at the first attempt */
  remote: number
  delivered: number
  deliveredFirst: number
}

export interface ScopeFigures {
  months: Tally[]
  total: Tally
  /** applications with the agency now, and those past their due date (the clock running) */
  open: number
  overdue: number
}

export interface Snapshot {
  /** when it was computed (ISO) and the day in Vietnam it counts up to */
  computedAt: string
  today: string
  /** the 12 months, oldest first, yyyy-mm; the last is the current one, so far */
  months: string[]
  portal: ScopeFigures
  agencies: Map<string, ScopeFigures>
  services: Map<string, ScopeFigures>
  /** working days of each service's decisions over the last 6 months, for its page */
  recentDays: Map<string, DayCounts>
}

const emptyTally = (): Tally => ({
  started: 0, completed: 0, received: 0, decided: 0, approved: 0, rejected: 0, withdrawn: 0, days: new DayCounts(), timed: 0, onTime: 0,
  withResult: 0, ratings: 0, ratingSum: 0, satisfied: 0, remote: 0, delivered: 0, deliveredFirst: 0,
})
const emptyScope = (): ScopeFigures => ({ months: Array.from({ length: 12 }, emptyTally), total: emptyTally(), open: 0, overdue: 0 })

/** The 12 months up to and including today's, oldest first. */
export function lastTwelveMonths(today: string): string[] {
  const [year, month] = today.split('-').map(Number) as [number, number]
  return Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(year, month - 12 + i, 1))
    return d.toISOString().slice(0, 7)
  })
}

const dayOf = (at: string) => localDate(new Date(at))

/**
 * Working days from receipt to decision, less the days the clock stood still waiting for
 * the applicant: the same count the due date is kept with (../applications/deadline.ts).
 */
export function processingDays(app: Pick<ApplicationFact, 'receivedAt' | 'submittedAt' | 'decidedAt' | 'waits'>): number | null {
  const start = app.receivedAt ?? app.submittedAt
  if (!start || !app.decidedAt) return null
  const decided = dayOf(app.decidedAt)
  const waited = app.waits.reduce((sum, [from, to]) => sum + workingDaysBetween(from, to ?? decided), 0)
  return Math.max(0, workingDaysBetween(dayOf(start), decided) - waited)
}

/** An application's events that move its clock, oldest first, as the repository reads them. */
export interface ClockEvent { at: string, from: string | null, to: string, kind: string | null }

/**
 * What an application's events say of its clock: when it was received (its first move to
 * received), the days it stood still waiting for the applicant (from a request for
 * information to the move out of it), and whether an apology for lateness was made.
 */
export function clockHistory(events: ClockEvent[]): Pick<ApplicationFact, 'receivedAt' | 'waits' | 'apologized'> {
  let receivedAt: string | null = null
  let apologized = false
  const waits: Array<[string, string | null]> = []
  for (const e of events) {
    if (e.kind === 'apology') {
      apologized = true
      continue
    }
    if (e.to === 'received' && receivedAt === null) receivedAt = e.at
    const open = waits.at(-1)
    if (e.from === 'info_requested' && open && open[1] === null) open[1] = dayOf(e.at)
    if (e.to === 'info_requested') waits.push([dayOf(e.at), null])
  }
  return { receivedAt, waits, apologized }
}

/** Decided by the due date, and never apologised for: an apology's new date does not make a late decision on time. */
export const decidedOnTime = (app: ApplicationFact): boolean =>
  !app.apologized && app.dueOn !== null && app.decidedAt !== null && dayOf(app.decidedAt) <= app.dueOn

/**
 * A snapshot built as the records are read, a chunk at a time: what it keeps does not grow
 * with the number of applications, only with the number of services that have any.
 */
export function startSnapshot(now: Date) {
  const today = localDate(now)
  const months = lastTwelveMonths(today)
  const monthIndex = new Map(months.map((m, i) => [m, i]))
  const sixMonthsAgo = (() => {
    const d = new Date(`${today}T00:00:00Z`)
    d.setUTCMonth(d.getUTCMonth() - 6)
    return d.toISOString().slice(0, 10)
  })()
  const portal = emptyScope()
  const agencies = new Map<string, ScopeFigures>()
  const services = new Map<string, ScopeFigures>()
  const recentDays = new Map<string, DayCounts>()
  let read = 0
  const scopesOf = (f: { agencyId: string, serviceId: string }): ScopeFigures[] => {
    let agency = agencies.get(f.agencyId)
    if (!agency) agencies.set(f.agencyId, agency = emptyScope())
    let service = services.get(f.serviceId)
    if (!service) services.set(f.serviceId, service = emptyScope())
    return [portal, agency, service]
  }
  /** Adds to the month of `at` (if it is one of the 12) and to the total, in every scope of the fact. */
  const count = (scopes: ScopeFigures[], at: string | null, add: (t: Tally) => void) => {
    const i = at === null ? undefined : monthIndex.get(dayOf(at).slice(0, 7))
    if (i === undefined) return
    for (const scope of scopes) {
      add(scope.months[i]!)
      add(scope.total)
    }
  }

  return {
    addApplication: (app: ApplicationFact) => {
      read++
      addApplication(app, scopesOf(app))
    },
    /** how many applications were added */
    get applications() { return read },
    addRating: (rating: RatingFact) => addRating(rating, scopesOf(rating)),
    addDelivery: (delivery: DeliveryFact) => addDelivery(delivery, scopesOf(delivery)),
    finish: (): Snapshot => ({ computedAt: now.toISOString(), today, months, portal, agencies, services, recentDays }),
  }

  function addApplication(app: ApplicationFact, scopes: ScopeFigures[]) {
    count(scopes, app.createdAt, (t) => {
      t.started++
      if (app.submittedAt) t.completed++
    })
    count(scopes, app.submittedAt, (t) => t.received++)
    if (app.status === 'withdrawn') count(scopes, app.decidedAt, (t) => t.withdrawn++)
    if (app.status === 'approved' || app.status === 'rejected') {
      const days = processingDays(app)
      const onTime = decidedOnTime(app)
      count(scopes, app.decidedAt, (t) => {
        t.decided++
        if (app.status === 'approved') t.approved++
        else t.rejected++
        if (days !== null) t.days.add(days)
        if (app.dueOn) {
          t.timed++
          if (onTime) t.onTime++
        }
        if (app.status === 'approved' && app.resultIssued) t.withResult++
      })
      if (days !== null && app.decidedAt && dayOf(app.decidedAt) >= sixMonthsAgo) {
        let counts = recentDays.get(app.serviceId)
        if (!counts) recentDays.set(app.serviceId, counts = new DayCounts())
        counts.add(days)
      }
    }
    if (['received', 'in_review', 'info_requested'].includes(app.status)) {
      const overdue = app.status !== 'info_requested' && app.dueOn !== null && app.dueOn < today
      for (const scope of scopes) {
        scope.open++
        if (overdue) scope.overdue++
      }
    }
  }

  function addRating(rating: RatingFact, scopes: ScopeFigures[]) {
    if (rating.score === null) return
    const score = rating.score
    count(scopes, rating.answeredAt, (t) => {
      t.ratings++
      t.ratingSum += score
      if (score >= 4) t.satisfied++
    })
  }

  function addDelivery(delivery: DeliveryFact, scopes: ScopeFigures[]) {
    count(scopes, delivery.firstAttemptAt, (t) => {
      t.remote++
      if (delivery.delivered) t.delivered++
      if (delivery.firstAttempt) t.deliveredFirst++
    })
  }
}

/** The snapshot of records already in memory (the tests, small histories). */
export function computeSnapshot(facts: StatisticsFacts, now: Date): Snapshot {
  const snapshot = startSnapshot(now)
  for (const app of facts.applications) snapshot.addApplication(app)
  for (const rating of facts.ratings) snapshot.addRating(rating)
  for (const delivery of facts.deliveries) snapshot.addDelivery(delivery)
  return snapshot.finish()
}

// ---- What is published ----

/** A count as published: null when from 1 to 4. */
export const published = (n: number): number | null => (n > 0 && n < smallestPublished ? null : n)

export interface Ratio {
  numerator: number | null
  denominator: number | null
  /** from 0 to 1, three decimals; null when there is nothing to divide or a part is suppressed */
  rate: number | null
}

/** `suppress: false` for counts that are not of people or their applications (services in the catalogue). */
export function ratio(numerator: number, denominator: number, options: { suppress?: boolean } = {}): Ratio {
  const keep = options.suppress === false
  const n = keep ? numerator : published(numerator)
  const d = keep ? denominator : published(denominator)
  const rate = n === null || d === null || denominator === 0 ? null : Math.round((numerator / denominator) * 1000) / 1000
  return { numerator: n, denominator: d, rate }
}

export interface PublishedTally {
  received: number | null
  decided: number | null
  approved: number | null
  rejected: number | null
  withdrawn: number | null
  /** submitted of those started in the period */
  completion: Ratio
  /** working days, waits excluded; null under 5 decisions */
  processingDays: { p50: number | null, p90: number | null, decisions: number | null }
  onTime: Ratio
  electronicResults: Ratio
  /** average from 1 to 5, one decimal, null under 5 answers; satisfied: answers of 4 or 5 */
  satisfaction: { answers: number | null, average: number | null, satisfied: Ratio }
  /** to the agency's own endpoint: delivered in the end, and at the first attempt */
  delivery: { delivered: Ratio, firstAttempt: Ratio }
}

export function publishTally(t: Tally): PublishedTally {
  const enough = t.days.size >= smallestPublished
  return {
    received: published(t.received),
    decided: published(t.decided),
    approved: published(t.approved),
    rejected: published(t.rejected),
    withdrawn: published(t.withdrawn),
    completion: ratio(t.completed, t.started),
    processingDays: {
      p50: enough ? t.days.percentile(0.5) : null,
      p90: enough ? t.days.percentile(0.9) : null,
      decisions: published(t.days.size),
    },
    onTime: ratio(t.onTime, t.timed),
    electronicResults: ratio(t.withResult, t.approved),
    satisfaction: {
      answers: published(t.ratings),
      average: t.ratings >= smallestPublished ? Math.round((t.ratingSum / t.ratings) * 10) / 10 : null,
      satisfied: ratio(t.satisfied, t.ratings),
    },
    delivery: { delivered: ratio(t.delivered, t.remote), firstAttempt: ratio(t.deliveredFirst, t.remote) },
  }
}

export interface PublishedScope {
  months: Array<{ month: string } & PublishedTally>
  total: PublishedTally
  open: number | null
  overdue: number | null
}

export function publishScope(snapshot: Snapshot, scope: ScopeFigures | undefined): PublishedScope {
  const figures = scope ?? emptyScope()
  return {
    months: figures.months.map((t, i) => ({ month: snapshot.months[i]!, ...publishTally(t) })),
    total: publishTally(figures.total),
    open: published(figures.open),
    overdue: published(figures.overdue),
  }
}

/** A service's page: "half are decided within p50 working days, 9 in 10 within p90", from its last 6 months. */
export interface Estimate {
  decisions: number
  /** the decisions needed before an estimate is given */
  minimum: number
  p50: number | null
  p90: number | null
}

export function estimateOf(snapshot: Snapshot, serviceId: string): Estimate {
  const days = snapshot.recentDays.get(serviceId) ?? new DayCounts()
  if (days.size < decisionsForEstimate) return { decisions: days.size, minimum: decisionsForEstimate, p50: null, p90: null }
  return { decisions: days.size, minimum: decisionsForEstimate, p50: days.percentile(0.5), p90: days.percentile(0.9) }
}
