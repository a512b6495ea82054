import type { AuditLog, Tx } from '../ports.js'
import { dueDate, workingDaysLeft } from '../calendar/workingDays.js'
import { fold } from '../catalogue/textFolding.js'
import type { RequestContext } from '../identity/accountService.js'
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
/** Who reads an application for its agency: an officer (a user id) or the agency's system (an API key, "api-key:<id>"). */
export type Reader = { id: string, by: 'officer' | 'agency-system', name?: string }
export type TransitionOptions = { message?: string | null, note?: string | null, agencyReference?: string | null, ctx?: RequestContext }

export interface LifecycleDeps {
  repo: ApplicationRepository
  audit: AuditLog
  /** queues the email telling the applicant of a status change, in the change's transaction */
  tellByEmail?: StatusEmail | undefined
  /** called after a change with an email commits, so the mail queue sends it at once */
  wakeMail?: (() => void) | undefined
}

/** An application after submission: its moves, the agency's view of it, the visitor's status check. */
export function createLifecycle(deps: LifecycleDeps) {
  const { repo, audit } = deps

  /**
   * Any status change after submission: checked against the lifecycle (409 when not
   * allowed), one event, one audit entry and a message in the applicant's inbox, all in
   * the caller's transaction.
   */
  async function applyTransition(trx: Tx, app: Application, to: ApplicationStatus, actor: Actor, options: TransitionOptions = {}): Promise<void> {
    if (!transitions[app.status].includes(to)) throw new IllegalTransition(app.status, to)
    const extra: { decidedAt?: string, agencyReference?: string } = {}
    if (finalStatuses.includes(to)) extra.decidedAt = new Date().toISOString()
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
    async forAgency(agencyId: string, filter: { status?: string | undefined, q?: string | undefined } = {}, now = new Date()) {
      const q = filter.q?.trim() ?? ''
      const reference = q ? parseReference(q) : undefined
      const rows = await repo.forAgency(agencyId, { status: filter.status, ...(reference ? { reference } : q ? { name: fold(q) } : {}) })
      return rows.map((r) => {
        const due = r.submittedAt && r.processingDays !== null && !finalStatuses.includes(r.status) ? dueDate(new Date(r.submittedAt), r.processingDays) : null
        return { ...r, due, daysLeft: due ? workingDaysLeft(due, now) : null, replied: r.status === 'in_review' && r.lastActor === 'citizen' }
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
