import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { computeSnapshot, DayCounts, estimateOf, lastTwelveMonths, processingDays, publishScope, ratio } from '../../server/domain/statistics/figures.js'
import type { ApplicationFact } from '../../server/domain/statistics/model.js'
import { indexOf } from '../../server/domain/statistics/serviceIndex.js'
import { groupedBars } from '../../server/web/charts.js'

const decided = (over: Partial<ApplicationFact>): ApplicationFact => ({
  serviceId: 's', agencyId: 'a', status: 'approved', createdAt: '2026-02-10T02:00:00Z', submittedAt: '2026-02-10T03:00:00Z',
  receivedAt: '2026-02-10T03:00:00Z', decidedAt: '2026-02-12T03:00:00Z', dueOn: '2026-02-24', waits: [], apologized: false, resultIssued: false, ...over,
})
const facts = (applications: ApplicationFact[]) => ({ applications, ratings: [], deliveries: [], services: [] })

describe('open statistics', () => {
  it('counts working days from receipt to decision, Tết and the waits for the applicant left out', () => {
    // Received Tuesday 10/2/2026, decided Thursday 12/2: 2 working days.
    assert.equal(processingDays(decided({})), 2)
    // Decided Tuesday 24/2: 11 and 12, 13, then Tết (14–22), 23 and 24: 5.
    assert.equal(processingDays(decided({ decidedAt: '2026-02-24T03:00:00Z' })), 5)
    // Stopped 11/2 and restarted 23/2 (12, 13 and 23 stood still): 5 - 3 = 2.
    assert.equal(processingDays(decided({ decidedAt: '2026-02-24T03:00:00Z', waits: [['2026-02-11', '2026-02-23']] })), 2)
    // Stopped 12/2 and refused while still waiting: the wait runs to the decision, so 11 and 12 count.
    assert.equal(processingDays(decided({ status: 'rejected', decidedAt: '2026-02-24T03:00:00Z', waits: [['2026-02-12', null]] })), 2)
    // A decision at 23:30 in Hanoi on 12/2 is 16:30 UTC: still the 12th.
    assert.equal(processingDays(decided({ decidedAt: '2026-02-12T16:30:00Z' })), 2)
    assert.equal(processingDays(decided({ receivedAt: null, submittedAt: null })), null)
  })

  it('takes nearest-rank percentiles: the smallest value at least that share does not exceed', () => {
    const counts = (values: number[]) => {
      const c = new DayCounts()
      for (const v of values) c.add(v)
      return c
    }
    assert.equal(counts([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]).percentile(0.5), 5)
    assert.equal(counts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).percentile(0.9), 9)
    assert.equal(counts([3, 20, 3, 3, 3]).percentile(0.9), 20)
    assert.equal(counts([3, 20, 3, 3, 3]).percentile(0.5), 3)
    assert.equal(counts([]).percentile(0.5), null)
  })

  it('suppresses counts from 1 to 4 and any rate built on one; 0 is published', () => {
    assert.deepEqual(ratio(3, 10), { numerator: null, denominator: 10, rate: null })
    assert.deepEqual(ratio(7, 4), { numerator: 7, denominator: null, rate: null })
    assert.deepEqual(ratio(0, 12), { numerator: 0, denominator: 12, rate: 0 })
    assert.deepEqual(ratio(0, 0), { numerator: 0, denominator: 0, rate: null })
    assert.deepEqual(ratio(5, 6), { numerator: 5, denominator: 6, rate: 0.833 })
    // Counts of services in the catalogue are not of people: never suppressed.
    assert.deepEqual(ratio(1, 5, { suppress: false }), { numerator: 1, denominator: 5, rate: 0.2 })
    const services = [{ id: 'a', agencyId: 'x', informationComplete: true, fullyOnline: true }, { id: 'b', agencyId: 'x', informationComplete: false, fullyOnline: false }]
    assert.deepEqual(indexOf(undefined, services).find((i) => i.id === 'fullyOnline')!.value, { numerator: 1, denominator: 2, rate: 0.5 })
  })

  it('puts each figure in its month in Vietnam, over the 12 months to today', () => {
    assert.deepEqual(lastTwelveMonths('2026-03-12').slice(0, 2), ['2025-04', '2025-05'])
    assert.equal(lastTwelveMonths('2026-03-12').at(-1), '2026-03')
    const now = new Date('2026-03-12T03:00:00Z')
    const apps = [
      // 18:00 UTC on 31 January is 1 February in Hanoi.
      ...Array.from({ length: 5 }, () => decided({ decidedAt: '2026-01-31T18:00:00Z', dueOn: '2026-02-03' })),
      // Two years ago: outside the 12 months.
      decided({ createdAt: '2024-03-01T02:00:00Z', submittedAt: '2024-03-01T02:00:00Z', decidedAt: '2024-03-05T02:00:00Z' }),
    ]
    const published = publishScope(computeSnapshot(facts(apps), now), computeSnapshot(facts(apps), now).portal)
    const february = published.months.find((m) => m.month === '2026-02')!
    assert.equal(february.decided, 5)
    assert.equal(published.months.find((m) => m.month === '2026-01')!.decided, 0)
    assert.equal(published.total.decided, 5)
  })

  it('is on time only when decided by the due date without an apology', () => {
    const now = new Date('2026-03-12T03:00:00Z')
    const apps = [
      ...Array.from({ length: 5 }, () => decided({ decidedAt: '2026-02-24T03:00:00Z', dueOn: '2026-02-24' })),
      ...Array.from({ length: 5 }, () => decided({ decidedAt: '2026-02-25T03:00:00Z', dueOn: '2026-02-24' })),
      // An apology moved the due date to 27/2 and it was met: still late.
      ...Array.from({ length: 5 }, () => decided({ decidedAt: '2026-02-26T03:00:00Z', dueOn: '2026-02-27', apologized: true })),
    ]
    const snapshot = computeSnapshot(facts(apps), now)
    assert.deepEqual(publishScope(snapshot, snapshot.portal).total.onTime, { numerator: 5, denominator: 15, rate: 0.333 })
  })

  it('counts open and overdue today, the stopped clock never overdue', () => {
    const now = new Date('2026-03-12T03:00:00Z')
    const open = (status: ApplicationFact['status'], dueOn: string) => decided({ status, decidedAt: null, dueOn })
    const apps = [
      ...Array.from({ length: 5 }, () => open('received', '2026-03-11')),
      ...Array.from({ length: 2 }, () => open('in_review', '2026-03-12')),
      ...Array.from({ length: 3 }, () => open('info_requested', '2026-03-01')),
    ]
    const snapshot = computeSnapshot(facts(apps), now)
    assert.equal(snapshot.portal.open, 10)
    assert.equal(snapshot.portal.overdue, 5)
    assert.deepEqual(indexOf(snapshot.portal, []).find((i) => i.id === 'openNotOverdue')!.value, { numerator: 5, denominator: 10, rate: 0.5 })
  })

  it('estimates from the last 6 months only, and not under 10 decisions', () => {
    const now = new Date('2026-03-12T03:00:00Z')
    const recent = Array.from({ length: 9 }, (_, i) => decided({ decidedAt: `2026-03-0${i + 1}T03:00:00Z`, receivedAt: '2026-02-26T03:00:00Z' }))
    const old = decided({ decidedAt: '2025-08-01T03:00:00Z', receivedAt: '2025-07-01T03:00:00Z' })
    assert.deepEqual(estimateOf(computeSnapshot(facts([...recent, old]), now), 's'), { decisions: 9, minimum: 10, p50: null, p90: null })
    const tenth = decided({ decidedAt: '2026-03-10T03:00:00Z', receivedAt: '2026-02-26T03:00:00Z' })
    const estimate = estimateOf(computeSnapshot(facts([...recent, tenth, old]), now), 's')
    assert.equal(estimate.decisions, 10)
    assert.ok(estimate.p50! <= estimate.p90!)
  })
})

describe('a bar chart', () => {
  it('scales to a round top, leaves a gap where a value is not published, and keeps every bar inside the plot', () => {
    const chart = groupedBars(['a', 'b', 'c'], [{ name: 'x', values: [10, null, 37] }, { name: 'y', values: [0, 5, 12] }])
    assert.deepEqual(chart.ticks.map((t) => t.value), [0, 10, 20, 30, 40])
    assert.deepEqual(chart.missing.map((m) => m.series), [0])
    assert.equal(chart.bars.length, 5)
    for (const bar of chart.bars) {
      assert.ok(bar.y >= chart.plot.top && bar.y + bar.height <= chart.plot.bottom + 0.1)
      assert.ok(bar.x >= chart.plot.left && bar.x + bar.width <= chart.plot.right)
    }
    const tallest = chart.bars.find((b) => b.value === 37)!
    assert.ok(Math.abs(tallest.height - ((chart.plot.bottom - chart.plot.top) * 37) / 40) < 0.2)
  })
})
