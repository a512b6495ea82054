// Working days in Vietnam, counted in the country's own time zone: Monday to Friday,
// less the public holidays, the days in lieu and the days swapped off, plus the weekend
// days swapped in as working days (./vietnamDaysOff.ts). A year the table does not hold
// yet falls back to the Labour Code's fixed-date holidays; its lunar ones (Tết, the Hùng
// Kings' day) are then missing, which `coveredUntil` lets the start warn about.
import { daysOff, type DayOffRow } from './vietnamDaysOff.js'

const zone = 'Asia/Ho_Chi_Minh'
const dayOf = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })

// Vietnam has kept UTC+7, without daylight saving, since 13 June 1975 (the time-zone
// database's Asia/Ho_Chi_Minh): from then on the date is plain arithmetic, where the
// formatter costs a few microseconds a call, several times a status change. Earlier
// instants, with their other offsets, still go through the formatter.
const plusSevenSince = Date.UTC(1975, 5, 13)
const sevenHoursMs = 7 * 60 * 60 * 1000

/** The calendar date (yyyy-mm-dd) of an instant in Vietnam. */
export function localDate(at: Date): string {
  const ms = at.getTime()
  return ms >= plusSevenSince ? new Date(ms + sevenHoursMs).toISOString().slice(0, 10) : dayOf.format(at)
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

function isWeekend(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay()
  return day === 0 || day === 6
}

/** The last year the table holds. */
export const coveredUntil = Math.max(...Object.keys(daysOff).map(Number))

/** A year outside the table: the fixed-date holidays, each on a weekend made up on the next weekday. */
function fallbackYear(year: number): Map<string, DayOffRow> {
  const rows = new Map<string, DayOffRow>()
  const source = 'Bộ luật Lao động 2019, Điều 111–112 (năm chưa có trong bảng)'
  for (const [md, holiday] of [['01-01', 'newYear'], ['04-30', 'reunification'], ['05-01', 'labourDay'], ['09-02', 'nationalDay']] as const) {
    let date = `${year}-${md}`
    if (isWeekend(date) || rows.has(date)) {
      do date = addDays(date, 1)
      while (isWeekend(date) || rows.has(date))
      rows.set(date, { date, kind: 'off', holiday: 'inLieu', source })
    } else rows.set(date, { date, kind: 'off', holiday, source })
  }
  return rows
}

const byYear = new Map<number, Map<string, DayOffRow>>()
function rowsOf(year: number): Map<string, DayOffRow> {
  let rows = byYear.get(year)
  if (!rows) {
    const listed = daysOff[year]
    rows = listed ? new Map(listed.map((r) => [r.date, r])) : fallbackYear(year)
    byYear.set(year, rows)
  }
  return rows
}

/** What the table says of a day, if anything: a holiday, a day in lieu, a swapped day. */
export const dayOffRow = (date: string): DayOffRow | undefined => rowsOf(Number(date.slice(0, 4))).get(date)

export function isWorkingDay(date: string): boolean {
  const row = dayOffRow(date)
  if (row) return row.kind === 'work'
  return !isWeekend(date)
}

/** The working day `days` working days after `date` (the same day for 0 when it is one, else the next). */
export function addWorkingDays(date: string, days: number): string {
  let day = date
  while (!isWorkingDay(day)) day = addDays(day, 1)
  for (let left = days; left > 0;) {
    day = addDays(day, 1)
    if (isWorkingDay(day)) left--
  }
  return day
}

/** Working days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function workingDaysBetween(from: string, to: string): number {
  let count = 0
  for (let day = from; day < to;) {
    day = addDays(day, 1)
    if (isWorkingDay(day)) count++
  }
  return count
}

/**
 * The day an application is due: `days` working days after the day it arrived. A
 * same-day service (0) is due that day, or the next working day if it arrived on one
 * that is not.
 */
export const dueDate = (arrived: Date, days: number): string => addWorkingDays(localDate(arrived), days)

/** Working days from today until a due date: 0 on the day, negative once it has passed. */
export function workingDaysLeft(due: string, now: Date): number {
  const today = localDate(now)
  return due >= today ? workingDaysBetween(today, due) : -workingDaysBetween(due, today)
}
