// The service index of Decision 766/QĐ-TTg (2022): five groups of indicators of how well
// an agency serves people and businesses, each indicator a numerator over a denominator.
// The portal publishes those it can measure from its own records, over the last 12
// months, and names those it cannot. It gives no total score: the Decision weighs all
// indicators together, and a score over the measurable ones alone would mislead.
import { ratio, type Ratio, type Snapshot, type ScopeFigures } from './figures.js'
import type { ServiceFact } from './model.js'

export const indexGroups = ['transparency', 'progress', 'online', 'satisfaction', 'digitisation'] as const
export type IndexGroup = typeof indexGroups[number]

export interface Indicator {
  /** its key in the translations (statistics.indicator.<id> and .method) */
  id: string
  group: IndexGroup
  value: Ratio
}

/** What the portal cannot measure, per group: each with its reason in the translations (statistics.unmeasured.<id>). */
export const unmeasured: Array<{ id: string, group: IndexGroup }> = [
  { id: 'feedbackHandled', group: 'transparency' },
  { id: 'counterApplications', group: 'online' },
  { id: 'onlinePayment', group: 'online' },
  { id: 'counterSatisfaction', group: 'satisfaction' },
  { id: 'digitisedOnReceipt', group: 'digitisation' },
  { id: 'dataReused', group: 'digitisation' },
]

/** The indicators for one agency (or, with every service, the whole portal). */
export function indexOf(figures: ScopeFigures | undefined, services: ServiceFact[]): Indicator[] {
  const total = figures?.total
  const open = figures?.open ?? 0
  const overdue = figures?.overdue ?? 0
  // Services are not people: their counts are published whatever they are.
  const ofServices = (keep: (s: ServiceFact) => boolean) => ratio(services.filter(keep).length, services.length, { suppress: false })
  return [
    { id: 'informationComplete', group: 'transparency', value: ofServices((s) => s.informationComplete) },
    { id: 'decidedOnTime', group: 'progress', value: ratio(total?.onTime ?? 0, total?.timed ?? 0) },
    { id: 'openNotOverdue', group: 'progress', value: ratio(open - overdue, open) },
    { id: 'fullyOnline', group: 'online', value: ofServices((s) => s.fullyOnline) },
    { id: 'completion', group: 'online', value: ratio(total?.completed ?? 0, total?.started ?? 0) },
    { id: 'satisfied', group: 'satisfaction', value: ratio(total?.satisfied ?? 0, total?.ratings ?? 0) },
    { id: 'electronicResults', group: 'digitisation', value: ratio(total?.withResult ?? 0, total?.approved ?? 0) },
    { id: 'deliveredToAgencySystem', group: 'digitisation', value: ratio(total?.delivered ?? 0, total?.remote ?? 0) },
  ]
}

/** The index of every agency with a service in the catalogue. */
export function agencyIndexes(snapshot: Snapshot, services: ServiceFact[]): Map<string, Indicator[]> {
  const byAgency = new Map<string, ServiceFact[]>()
  for (const s of services) {
    const list = byAgency.get(s.agencyId)
    if (list) list.push(s)
    else byAgency.set(s.agencyId, [s])
  }
  return new Map([...byAgency].map(([agencyId, list]) => [agencyId, indexOf(snapshot.agencies.get(agencyId), list)]))
}
