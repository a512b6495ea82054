// Working days in Vietnam: Monday to Friday, counted in the country's own time zone.
// Public holidays and the yearly official adjustments are not in this count yet.

const zone = 'Asia/Ho_Chi_Minh'
const dayOf = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })

/** The calendar date (yyyy-mm-dd) of an instant in Vietnam. */
export const localDate = (at: Date): string => dayOf.format(at)

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

const isWorkingDay = (date: string) => ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay())

/**
 * The day an application is due: `days` working days after the day it arrived. A
 * same-day service (0) is due that day, or the next working day if it arrived on one
 * that is not.
 */
export function dueDate(arrived: Date, days: number): string {
  let date = localDate(arrived)
  while (!isWorkingDay(date)) date = addDays(date, 1)
  for (let left = days; left > 0;) {
    date = addDays(date, 1)
    if (isWorkingDay(date)) left--
  }
  return date
}

/** Working days from today until a due date: 0 on the day, negative once it has passed. */
export function workingDaysLeft(due: string, now: Date): number {
  const today = localDate(now)
  if (due === today) return 0
  const step = due > today ? 1 : -1
  let count = 0
  for (let date = today; date !== due;) {
    date = addDays(date, step)
    if (isWorkingDay(date)) count += step
  }
  return count
}
