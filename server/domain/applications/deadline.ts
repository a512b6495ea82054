// An application's deadline in working days (DESIGN.md, Deadlines and results): due on
// receipt + the service's processing days; the clock stops while the applicant is asked
// for information and the days it stood still are added when it restarts; an apology for
// lateness sets a new date.
import { addWorkingDays, localDate, workingDaysBetween, workingDaysLeft } from '../calendar/workingDays.js'
import { finalStatuses, type Application, type ApplicationStatus } from './model.js'

export type DeadlineState = 'onTrack' | 'dueSoon' | 'overdue' | 'paused' | 'decided'
export const deadlineStates: DeadlineState[] = ['onTrack', 'dueSoon', 'overdue', 'paused']

export interface Deadline {
  due: string
  state: DeadlineState
  /** working days until the due date: 0 on the day, negative once past; null while paused or decided */
  daysLeft: number | null
  /** the day the clock stopped, while it stands still */
  stoppedOn: string | null
  /** for a decided application: decided after its due date */
  late: boolean
}

type Clocked = Pick<Application, 'status' | 'dueOn' | 'clockStoppedOn' | 'decidedAt'>

/** Where an application stands against its due date today; null when it has none (not yet received, or no processing time). */
export function deadlineOf(app: Clocked, now = new Date()): Deadline | null {
  if (!app.dueOn) return null
  const due = app.dueOn
  if (finalStatuses.includes(app.status)) {
    const late = app.decidedAt ? localDate(new Date(app.decidedAt)) > due : false
    return { due, state: 'decided', daysLeft: null, stoppedOn: null, late }
  }
  if (app.clockStoppedOn) return { due, state: 'paused', daysLeft: null, stoppedOn: app.clockStoppedOn, late: false }
  const daysLeft = workingDaysLeft(due, now)
  const state: DeadlineState = daysLeft < 0 ? 'overdue' : daysLeft <= 1 ? 'dueSoon' : 'onTrack'
  return { due, state, daysLeft, stoppedOn: null, late: false }
}

/**
 * What a move does to the clock, as column changes: receipt starts it (a same-day
 * service is due the day it is received), a request for information stops it, leaving
 * that request restarts it with the working days it stood still added to the due date.
 */
export function clockAfter(app: Clocked, to: ApplicationStatus, today: string, processingDays: number | null): Partial<Pick<Application, 'dueOn' | 'clockStoppedOn'>> {
  if (to === 'received' && processingDays !== null) return { dueOn: addWorkingDays(today, processingDays) }
  if (to === 'info_requested') return app.clockStoppedOn ? {} : { clockStoppedOn: today }
  if (app.status === 'info_requested' && app.clockStoppedOn) {
    const stood = workingDaysBetween(app.clockStoppedOn, today)
    return { clockStoppedOn: null, ...(app.dueOn ? { dueOn: addWorkingDays(app.dueOn, stood) } : {}) }
  }
  return {}
}
