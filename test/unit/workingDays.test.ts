import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import Holidays from 'date-holidays'
import { addDays, addWorkingDays, coveredUntil, dueDate, isWorkingDay, localDate, workingDaysBetween, workingDaysLeft } from '../../server/domain/calendar/workingDays.js'
import { daysOff } from '../../server/domain/calendar/vietnamDaysOff.js'

// The official calendars, written from the notices as people read them: each break from
// its first to its last day, weekends included, and the Saturdays worked instead.
const official: Record<number, { breaks: Array<[string, string]>, worked: string[] }> = {
  2025: {
    breaks: [
      ['2025-01-01', '2025-01-01'], // New Year
      ['2025-01-25', '2025-02-02'], // Tết Ất Tỵ, nine days (8726/VPCP-KGVX)
      ['2025-04-05', '2025-04-07'], // Hùng Kings, Monday 7/4
      ['2025-04-30', '2025-05-04'], // 30/4–1/5, Friday 2/5 swapped
      ['2025-08-30', '2025-09-02'], // National Day, 1/9 and 2/9
    ],
    worked: ['2025-04-26'],
  },
  2026: {
    breaks: [
      ['2026-01-01', '2026-01-04'], // New Year, Friday 2/1 swapped (12729/VPCP-KGVX)
      ['2026-02-14', '2026-02-22'], // Tết Bính Ngọ, nine days (9441/TB-BNV)
      ['2026-04-25', '2026-04-27'], // Hùng Kings on Sunday 26/4, made up on Monday 27/4
      ['2026-04-30', '2026-05-03'], // 30/4–1/5
      ['2026-08-29', '2026-09-02'], // National Day, Monday 31/8 swapped (9441/TB-BNV)
    ],
    worked: ['2026-01-10', '2026-08-22'],
  },
}

function officialWorkingDay(date: string): boolean {
  const { breaks, worked } = official[Number(date.slice(0, 4))]!
  if (worked.includes(date)) return true
  if (breaks.some(([from, to]) => date >= from && date <= to)) return false
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay()
  return weekday !== 0 && weekday !== 6
}

describe('working days', () => {
  for (const year of [2025, 2026]) {
    it(`agrees with the official calendar on every day of ${year}`, () => {
      const differ: string[] = []
      let working = 0
      for (let date = `${year}-01-01`; date <= `${year}-12-31`; date = addDays(date, 1)) {
        if (isWorkingDay(date) !== officialWorkingDay(date)) differ.push(date)
        if (isWorkingDay(date)) working++
      }
      assert.deepEqual(differ, [], `days that differ in ${year}`)
      // 365 days, 104 weekend days, 11 statutory holidays; the swaps move days, not add them.
      assert.equal(working, 250)
    })
  }

  it('has every public holiday date-holidays knows of, lunar ones included, for each year of the table', () => {
    const hd = new Holidays('VN')
    for (let year = 2024; year <= coveredUntil; year++) {
      const publicDays = hd.getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10))
      assert.ok(publicDays.length >= 7, `${year}: date-holidays lists its public days`)
      for (const date of publicDays) assert.equal(isWorkingDay(date), false, `${date} (${year}) is a holiday`)
    }
  })

  it('cites a source for every row and marks only undecided ones provisional', () => {
    for (const [year, rows] of Object.entries(daysOff)) {
      for (const row of rows) {
        assert.ok(row.date.startsWith(year), `${row.date} is filed under ${year}`)
        assert.match(row.source, /\d/, `${row.date} cites a numbered text`)
        assert.equal(isWorkingDay(row.date), row.kind === 'work')
      }
    }
    assert.ok(daysOff[2026]!.every((r) => !r.provisional))
    assert.ok(daysOff[2027]!.some((r) => r.provisional))
  })

  it('the date in Vietnam is the time-zone database\'s, before and after the offset settled at UTC+7', () => {
    const zone = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' })
    const instants = [
      '1975-06-12T15:59:59Z', '1975-06-12T16:00:00Z', '1975-06-12T16:59:59Z', '1975-06-12T17:00:00Z', '1975-06-13T00:00:00Z',
      '1970-01-01T16:30:00Z', '1999-12-31T17:00:00Z', '2000-02-28T16:59:59.999Z', '2026-12-31T16:59:59.999Z', '2026-12-31T17:00:00Z',
    ].map((iso) => new Date(iso))
    // And an instant every 37 hours and a bit for a century, so every hour of the day comes by.
    for (let ms = Date.UTC(1975, 0, 1); ms < Date.UTC(2076, 0, 1); ms += 37 * 3_600_000 + 61_001) instants.push(new Date(ms))
    for (const at of instants) assert.equal(localDate(at), zone.format(at), at.toISOString())
  })

  it('counts in Vietnam time, a same-day service due the same working day', () => {
    // Friday 2026-12-04 20:00 in Hanoi is 13:00 UTC.
    const friday = new Date('2026-12-04T13:00:00Z')
    assert.equal(localDate(new Date('2026-12-04T18:00:00Z')), '2026-12-05', 'after 17:00 UTC it is already the next day in Hanoi')
    assert.equal(dueDate(friday, 1), '2026-12-07')
    assert.equal(dueDate(friday, 5), '2026-12-11')
    assert.equal(dueDate(friday, 0), '2026-12-04', 'a same-day service is due the same day')
    assert.equal(dueDate(new Date('2026-12-05T03:00:00Z'), 0), '2026-12-07', 'arriving on a Saturday counts from Monday')
    assert.equal(dueDate(new Date('2026-12-05T03:00:00Z'), 2), '2026-12-09')
  })

  it('steps over Tết and counts a swapped Saturday', () => {
    // Received Thursday 12/2/2026: Friday 13/2 is one day, then nine days off, then 23/2.
    assert.equal(addWorkingDays('2026-02-12', 2), '2026-02-23')
    assert.equal(addWorkingDays('2026-02-15', 0), '2026-02-23', 'a same-day service arriving during Tết is due the first day back')
    assert.equal(workingDaysBetween('2026-02-12', '2026-02-24'), 3)
    // Saturday 10/1/2026 is a working day, Friday 2/1 is not.
    assert.equal(addWorkingDays('2025-12-31', 1), '2026-01-05')
    assert.equal(addWorkingDays('2026-01-09', 1), '2026-01-10')
  })

  it('says how many working days are left, negative when overdue', () => {
    const monday = new Date('2026-12-07T02:00:00Z')
    assert.equal(workingDaysLeft('2026-12-07', monday), 0)
    assert.equal(workingDaysLeft('2026-12-11', monday), 4)
    assert.equal(workingDaysLeft('2026-12-14', monday), 5)
    assert.equal(workingDaysLeft('2026-12-04', monday), -1)
    // Over Tết: due Friday 13/2/2026, seen on Monday 23/2 it is one working day late.
    assert.equal(workingDaysLeft('2026-02-13', new Date('2026-02-23T03:00:00Z')), -1)
  })

  it('falls back to the fixed-date holidays for a year the table does not hold', () => {
    assert.equal(coveredUntil, 2027)
    // 2028: 1/1 is a Saturday (made up on Monday 3/1); 30/4 a Sunday, made up after 1/5.
    assert.equal(isWorkingDay('2028-01-03'), false)
    assert.equal(isWorkingDay('2028-01-04'), true)
    assert.equal(isWorkingDay('2028-05-01'), false)
    assert.equal(isWorkingDay('2028-05-02'), false)
    assert.equal(isWorkingDay('2028-05-03'), true)
  })
})
