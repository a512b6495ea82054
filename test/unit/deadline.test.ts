import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { clockAfter, deadlineOf } from '../../server/domain/applications/deadline.js'

const running = { status: 'in_review' as const, dueOn: '2026-02-24', clockStoppedOn: null, decidedAt: null }

describe('an application’s deadline', () => {
  it('starts on receipt; a same-day service received during Tết is due the first working day back', () => {
    assert.deepEqual(clockAfter({ ...running, status: 'submitted', dueOn: null }, 'received', '2026-02-12', 3), { dueOn: '2026-02-24' })
    assert.deepEqual(clockAfter({ ...running, status: 'submitted', dueOn: null }, 'received', '2026-02-18', 0), { dueOn: '2026-02-23' })
    assert.deepEqual(clockAfter({ ...running, status: 'submitted', dueOn: null }, 'received', '2026-02-12', null), {}, 'no processing time, no due date')
  })

  it('stops while information is asked for and adds the working days it stood still', () => {
    assert.deepEqual(clockAfter(running, 'info_requested', '2026-02-13', 3), { clockStoppedOn: '2026-02-13' })
    const stopped = { ...running, status: 'info_requested' as const, clockStoppedOn: '2026-02-13' }
    assert.deepEqual(clockAfter(stopped, 'in_review', '2026-02-13', 3), { clockStoppedOn: null, dueOn: '2026-02-24' }, 'answered the same day: nothing added')
    assert.deepEqual(clockAfter(stopped, 'in_review', '2026-02-22', 3), { clockStoppedOn: null, dueOn: '2026-02-24' }, 'Tết days are not added')
    assert.deepEqual(clockAfter(stopped, 'in_review', '2026-02-24', 3), { clockStoppedOn: null, dueOn: '2026-02-26' })
  })

  it('is on track, due within a working day, overdue, paused or decided', () => {
    const at = (iso: string) => new Date(`${iso}T03:00:00Z`)
    assert.equal(deadlineOf(running, at('2026-02-12'))!.state, 'onTrack')
    assert.equal(deadlineOf(running, at('2026-02-23'))!.state, 'dueSoon')
    assert.equal(deadlineOf(running, at('2026-02-13'))!.state, 'onTrack', 'Friday before Tết: two working days left')
    assert.deepEqual(deadlineOf(running, at('2026-02-25')), { due: '2026-02-24', state: 'overdue', daysLeft: -1, stoppedOn: null, late: false })
    assert.equal(deadlineOf({ ...running, clockStoppedOn: '2026-02-13' }, at('2026-03-20'))!.state, 'paused')
    assert.deepEqual(deadlineOf({ ...running, status: 'approved', decidedAt: '2026-02-25T02:00:00Z' })!.late, true)
    assert.deepEqual(deadlineOf({ ...running, status: 'approved', decidedAt: '2026-02-24T16:30:00Z' })!.late, false, '23:30 in Hanoi is still the 24th')
    assert.equal(deadlineOf({ ...running, dueOn: null }), null)
  })
})
