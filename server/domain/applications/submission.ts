import { randomBytes } from 'node:crypto'
import type { AuditLog } from '../ports.js'
import { firstIncompletePage, keptAnswers, visibleFields, visiblePages } from '../forms/formEngine.js'
import type { PageDefinition } from '../forms/formSchema.js'
import type { RequestContext } from '../identity/accountService.js'
import type { User } from '../identity/model.js'
import type { applicantForms } from './applicantForms.js'
import type { Application } from './model.js'
import type { ApplicationRepository } from './repository.js'
import { hashCode } from './statusCode.js'

/** The answers are not complete: the first page that still needs something. */
export class Incomplete extends Error {
  constructor(readonly page: PageDefinition) {
    super(`page ${page.id} is incomplete`)
  }
}

/** A submission's outcome: the application, and the second code when the status check needs one. */
type Submitted = { application: Application, statusCode?: string }

export interface SubmissionDeps {
  repo: ApplicationRepository
  audit: AuditLog
  forms: ReturnType<typeof applicantForms>
  /** called after a submission commits, so the dispatcher delivers at once */
  wake: () => void
  /** the time; the real clock by default */
  clock?: (() => Date) | undefined
}

export function createSubmission(deps: SubmissionDeps) {
  const { repo, audit } = deps
  const { serviceWithForm, declaredProfile } = deps.forms
  return {
    /**
     * Submits a draft. Idempotent: a double click, a retry or a resubmission from the back
     * button finds the application already submitted and returns it. Atomic: the status,
     * the first event, the outbox row and the audit entry are one transaction; the agency
     * is reached afterwards, by the dispatcher.
     */
    async submit(app: Application, user: User, session: { assuranceLevel: number }, ctx: RequestContext): Promise<Submitted> {
      if (app.status !== 'draft') return { application: app }
      const { form } = await serviceWithForm(app.serviceId, app.serviceVersion)
      const answers = keptAnswers(form, app.answers)
      const incomplete = firstIncompletePage(form, answers)
      if (incomplete) throw new Incomplete(incomplete)
      const profile = declaredProfile(form, user)
      const answered = form.applicantBirthdate ? answers[form.applicantBirthdate] : undefined
      const birthdate = profile['birthdate'] ?? (typeof answered === 'string' ? answered : null) ?? user.birthdate
      // Without a birthdate, a visitor checks the status with a second code, shown once.
      const statusCode = birthdate ? undefined : randomBytes(5).toString('hex').toUpperCase()
      const submittedAt = (deps.clock?.() ?? new Date()).toISOString()
      const changes = {
        answers, profile, submittedAt, currentPage: null,
        applicantBirthdate: birthdate, statusCodeHash: statusCode ? hashCode(statusCode) : null, assuranceLevel: session.assuranceLevel,
      }
      // Documents of questions that no longer apply (an answer changed since) stay behind:
      // dropped in the submission's own transaction, without a read beside it.
      const applicable = new Set(visiblePages(form, answers).flatMap((p) => visibleFields(p, answers)).filter((f) => f.type === 'file').map((f) => f.id))
      const stale = form.pages.flatMap((p) => p.fields).filter((f) => f.type === 'file' && !applicable.has(f.id)).map((f) => f.id)
      const moved = await repo.commit(async (trx) => {
        const ok = await repo.markSubmitted(trx, app.id, changes)
        if (!ok) return false
        for (const field of stale) await repo.removeFieldDocuments(trx, app.id, field)
        await repo.addEvent(trx, { applicationId: app.id, actorId: user.id, actorKind: 'citizen', from: 'draft', to: 'submitted' }, submittedAt)
        await repo.addOutbox(trx, app.id, app.agencyId)
        await audit.record({
          action: 'application.submitted', actorId: user.id, subjectId: user.id, onBehalfOf: app.onBehalfOf,
          ip: ctx.ip, requestId: ctx.requestId, detail: { reference: app.reference, service: app.serviceId, agency: app.agencyId },
        }, trx)
        return true
      })
      if (!moved) return { application: (await repo.byId(app.id))! }
      deps.wake()
      const application: Application = { ...app, ...changes, status: 'submitted', updatedAt: submittedAt }
      return statusCode ? { application, statusCode } : { application }
    },

  }
}
