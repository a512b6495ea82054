import type { AuditLog, Tx } from '../ports.js'
import { addDays, addWorkingDays, isWorkingDay, localDate } from '../calendar/workingDays.js'
import { fold } from '../catalogue/textFolding.js'
import type { RequestContext } from '../identity/accountService.js'
import { clockAfter, deadlineOf, type DeadlineState } from './deadline.js'
import { finalStatuses, type ActorKind, type Application, type ApplicationStatus } from './model.js'
import { parseReference } from './reference.js'
import type { AgencyPage, ApplicationRepository } from './repository.js'
import type { StatusEmail } from './statusEmail.js'
import type { StatusSecret } from './statusSecret.js'
import { hashCode } from './statusCode.js'

/** Who may move an application from where to where (DESIGN.md, Application lifecycle). */
const transitions: Record<ApplicationStatus, ApplicationStatus[]> = {
  draft: ['submitted'],
  submitted: ['received', 'rejected', 'withdrawn'],
  // Information can be asked for at reception, before any review.
  received: ['in_review', 'info_requested', 'approved', 'rejected', 'withdrawn'],
  in_review: ['info_requested', 'approved', 'rejected', 'withdrawn'],
  info_requested: ['in_review', 'rejected', 'withdrawn'],
  approved: [],
  rejected: [],
  withdrawn: [],
}

/** What an officer may decide; submitted → received is the delivery's, withdrawn the applicant's. */
const officerMoves: ApplicationStatus[] = ['in_review', 'info_requested', 'approved', 'rejected']

export class IllegalTransition extends Error {
  constructor(readonly from: ApplicationStatus, readonly to: ApplicationStatus) {
    super(`${from} → ${to} is not allowed`)
  }
}

export type Actor = { id: string | null, kind: ActorKind }
export interface InboxFilter {
  status?: string | undefined
  q?: string | undefined
  serviceId?: string | undefined
  /** only the applications assigned to this officer */
  assignedTo?: string | undefined
  due?: DeadlineState | undefined
  page?: number
  pageSize?: number
}
/** Who reads an application for its agency: an officer (a user id) or the agency's system (an API key, "api-key:<id>"). */
export type Reader = { id: string, by: 'officer' | 'agency-system', name?: string }
export type TransitionOptions = {
  message?: string | null, note?: string | null, agencyReference?: string | null, ctx?: RequestContext
  /** the service's processing days, when the caller has read them already (the dispatcher, once a batch) */
  processingDays?: number | null
}

export interface LifecycleDeps {
  repo: ApplicationRepository
  audit: AuditLog
  /** queues the email telling the applicant of a status change, in the change's transaction */
  tellByEmail?: StatusEmail | undefined
  /** called after a change with an email commits, so the mail queue sends it at once */
  wakeMail?: (() => void) | undefined
  /** the time; the real clock by default */
  clock?: (() => Date) | undefined
}

/** An application after submission: its moves, the agency's view of it, the visitor's status check. */
export function createLifecycle(deps: LifecycleDeps) {
  const { repo, audit } = deps
  const clock = deps.clock ?? (() => new Date())

  /**
   * Any status change after submission: checked against the lifecycle (409 when not
   * allowed), one event, one audit entry and a message in the applicant's inbox, all in
   * the caller's transaction.
   */
  async function applyTransition(trx: Tx, app: Application, to: ApplicationStatus, actor: Actor, options: TransitionOptions = {}): Promise<void> {
    if (!transitions[app.status].includes(to)) throw new IllegalTransition(app.status, to)
    const now = clock()
    const processingDays = to !== 'received' ? null : options.processingDays !== undefined ? options.processingDays : await repo.processingDays(trx, app.serviceId)
    const extra: Parameters<ApplicationRepository['moveStatus']>[4] = clockAfter(app, to, localDate(now), processingDays)
    if (finalStatuses.includes(to)) extra.decidedAt = now.toISOString()
    if (options.agencyReference) extra.agencyReference = options.agencyReference
    if (!(await repo.moveStatus(trx, app.id, app.status, to, extra))) throw new IllegalTransition(app.status, to)
    await repo.addEvent(trx, {
      applicationId: app.id, actorId: actor.id, actorKind: actor.kind, from: app.status, to, message: options.message ?? null, note: options.note ?? null,
    })
    await audit.record({
      action: 'application.status', actorId: actor.id ?? `${actor.kind}`, subjectId: app.applicantId, onBehalfOf: app.onBehalfOf,
      ip: options.ctx?.ip, requestId: options.ctx?.requestId, detail: { reference: app.reference, from: app.status, to },
    }, trx)
    // The applicant is told of what others did; what they did themselves (a reply, a
    // withdrawal) is on the page they are looking at, not news for their inbox.
    if (actor.kind === 'citizen') return
    await repo.notify(trx, app.applicantId, app.id, to, options.message ?? null)
    await deps.tellByEmail?.(trx, app, to, options.message ?? null)
  }

  /** After a change commits: its email is sent now, not at the mail queue's next poll. */
  const told = () => deps.wakeMail?.()

  return {
    /**
     * The agency's applications for its officers: searched by reference or applicant
     * name (tone marks ignored), each with its due date, working days left and whether
     * the citizen has replied and waits for the agency.
     */
    async forAgency(agencyId: string, filter: InboxFilter = {}, now = clock()) {
      const q = filter.q?.trim() ?? ''
      const reference = q ? parseReference(q) : undefined
      const today = localDate(now)
      const page = await repo.forAgency(agencyId, {
        status: filter.status, serviceId: filter.serviceId, assignedTo: filter.assignedTo, due: filter.due, today, soon: addWorkingDays(addDays(today, 1), 0),
        page: filter.page ?? 1, pageSize: filter.pageSize ?? 50, ...(reference ? { reference } : q ? { name: fold(q) } : {}),
      })
      return {
        ...page,
        rows: page.rows.map((r) => ({ ...r, deadline: deadlineOf(r, now), replied: r.status === 'in_review' && r.lastActor === 'citizen' })),
      }
    },

    /** Where the application stands against its due date. */
    deadline: (app: Application, now = clock()) => deadlineOf(app, now),
    /** today in Vietnam, by the portal's clock */
    today: () => localDate(clock()),

    /**
     * An overdue application's apology (phiếu xin lỗi và hẹn lại ngày trả kết quả): the
     * officer says sorry with a new date, a working day after today. The apology is in the
     * timeline, the applicant's inbox and email; the new date becomes the due date.
     */
    async apologize(app: Application, officerId: string, apology: { newDate: string, message: string }, ctx: RequestContext): Promise<'notOverdue' | 'badDate' | 'done'> {
      const now = clock()
      if (deadlineOf(app, now)?.state !== 'overdue') return 'notOverdue'
      if (!/^\d{4}-\d{2}-\d{2}$/.test(apology.newDate) || apology.newDate <= localDate(now) || !isWorkingDay(apology.newDate)) return 'badDate'
      await repo.commit(async (trx) => {
        await repo.setDue(trx, app.id, apology.newDate)
        await repo.addEvent(trx, { applicationId: app.id, actorId: officerId, actorKind: 'officer', from: app.status, to: app.status, message: apology.message, kind: 'apology', newDueOn: apology.newDate })
        await audit.record({
          action: 'application.apology', actorId: officerId, subjectId: app.applicantId, onBehalfOf: app.onBehalfOf, ip: ctx.ip, requestId: ctx.requestId,
          detail: { reference: app.reference, agency: app.agencyId, missed: app.dueOn, newDate: apology.newDate },
        }, trx)
        await repo.notify(trx, app.applicantId, app.id, app.status, apology.message)
        await deps.tellByEmail?.(trx, app, app.status, apology.message)
      })
      told()
      return 'done'
    },

    /** Gives the application to an officer of its agency (the caller checks they are), or takes it back to the pool (null). */
    async assign(app: Application, to: string | null, by: string, ctx: RequestContext): Promise<void> {
      await repo.commit(async (trx) => {
        await repo.assign(trx, app.id, to)
        await audit.record({
          action: 'application.assigned', actorId: by, subjectId: app.applicantId, ip: ctx.ip, requestId: ctx.requestId,
          detail: { reference: app.reference, agency: app.agencyId, to },
        }, trx)
      })
    },

    /** The moves an officer may make from a status: never the status itself. */
    officerMovesFrom: (status: ApplicationStatus): ApplicationStatus[] => transitions[status].filter((to) => officerMoves.includes(to)),

    /**
     * One application, for an officer of the agency it was routed to; undefined for any
     * other agency (the route answers 404, so existence does not leak). Each read is an
     * audit entry with the applicant as subject, which the applicant can see.
     */
    async ofAgency(agencyId: string, referenceInput: string, reader: Reader, ctx: RequestContext): Promise<Application | undefined> {
      const reference = parseReference(referenceInput)
      const app = reference ? await repo.byReference(reference) : undefined
      if (!app || app.agencyId !== agencyId || app.status === 'draft') return undefined
      // Through the group commit: the reads of an agency's system, many at once, share a disk flush.
      await repo.commitOne((tx) => audit.record({
        action: 'data.read', actorId: reader.id, subjectId: app.applicantId, onBehalfOf: app.onBehalfOf, ip: ctx.ip, requestId: ctx.requestId,
        detail: { reference: app.reference, by: reader.by, agency: agencyId, ...(reader.name ? { name: reader.name } : {}) },
      }, tx))
      return app
    },

    /**
     * An application routed to the agency, to change its status (audited as the change,
     * not as a read of the citizen's data); undefined for any other agency.
     */
    async routedTo(agencyId: string, referenceInput: string): Promise<Application | undefined> {
      const reference = parseReference(referenceInput)
      const app = reference ? await repo.byReference(reference) : undefined
      return app && app.agencyId === agencyId && app.status !== 'draft' ? app : undefined
    },

    /** The agency's applications after a position, for its system's API (no draft is ever listed). */
    pageForAgency: (agencyId: string, page: AgencyPage) => repo.pageForAgency(agencyId, page),
    events: (app: Application) => repo.events(app.id),

    /**
     * Any status change after submission: checked against the lifecycle (409 when not
     * allowed), one event, one audit entry, and a message in the applicant's inbox.
     */
    async transition(app: Application, to: ApplicationStatus, actor: Actor, options: TransitionOptions = {}): Promise<Application> {
      await repo.commit((trx) => applyTransition(trx, app, to, actor, options))
      told()
      return (await repo.byId(app.id))!
    },

    /** The same inside a caller's transaction (the dispatcher's); call told() after it commits. */
    transitionIn: applyTransition,
    told,

    /** A visitor's status check: the reference and the applicant's birthdate (or the second code). */
    async checkStatus(referenceInput: string, secret: Exclude<StatusSecret, { kind: 'badDate' }>): Promise<Application | undefined> {
      const reference = parseReference(referenceInput)
      const app = reference ? await repo.byReference(reference) : undefined
      if (!app || app.status === 'draft') return undefined
      const matches = app.applicantBirthdate
        ? secret.kind === 'birthdate' && secret.iso === app.applicantBirthdate
        : secret.kind === 'code' && app.statusCodeHash === hashCode(secret.code)
      return matches ? app : undefined
    },

  }
}
