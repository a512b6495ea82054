import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dueDate, localDate, workingDaysLeft } from '../../server/domain/calendar/workingDays.js'

describe('working days', () => {
  it('counts Monday to Friday in Vietnam time', () => {
    // Friday 2026-12-04 20:00 in Hanoi is 13:00 UTC.
    const friday = new Date('2026-12-04T13:00:00Z')
    assert.equal(localDate(new Date('2026-12-04T18:00:00Z')), '2026-12-05', 'after 17:00 UTC it is already the next day in Hanoi')
    assert.equal(dueDate(friday, 1), '2026-12-07')
    assert.equal(dueDate(friday, 5), '2026-12-11')
    assert.equal(dueDate(friday, 0), '2026-12-04', 'a same-day service is due the same day')
    assert.equal(dueDate(new Date('2026-12-05T03:00:00Z'), 0), '2026-12-07', 'arriving on a Saturday counts from Monday')
    assert.equal(dueDate(new Date('2026-12-05T03:00:00Z'), 2), '2026-12-09')
  })

  it('says how many working days are left, negative when overdue', () => {
    const monday = new Date('2026-12-07T02:00:00Z')
    assert.equal(workingDaysLeft('2026-12-07', monday), 0)
    assert.equal(workingDaysLeft('2026-12-11', monday), 4)
    assert.equal(workingDaysLeft('2026-12-14', monday), 5)
    assert.equal(workingDaysLeft('2026-12-04', monday), -1)
  })
})
