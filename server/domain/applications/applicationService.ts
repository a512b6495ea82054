import { createHash, randomBytes } from 'node:crypto'
import { unlink } from 'node:fs/promises'
import { fileTypeFromFile } from 'file-type'
import type { AuditLog, Tx } from '../ports.js'
import type { User } from '../identity/model.js'
import { finalStatuses, type ActorKind, type Application, type ApplicationDocument, type ApplicationStatus } from './model.js'
import type { ApplicationRepository } from './repository.js'
import type { CatalogueService } from '../catalogue/catalogueService.js'
import type { Service } from '../catalogue/types.js'
import { checkPage, firstIncompletePage, keptAnswers, nextPage, visibleFields, visiblePages, type Answers, type FieldError } from '../forms/formEngine.js'
import type { FieldDefinition, FormDefinition, PageDefinition, ProfileFieldName } from '../forms/formSchema.js'
import type { RequestContext } from '../identity/accountService.js'
import type { BlobStore } from './blobStore.js'
import { newReference, parseReference } from './reference.js'
import type { StatusEmail } from './statusEmail.js'
import type { StatusSecret } from './statusSecret.js'
import { dueDate, workingDaysLeft } from '../calendar/workingDays.js'
import { fold } from '../catalogue/textFolding.js'

export { finalStatuses }

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

/** The answers are not complete: the first page that still needs something. */
export class Incomplete extends Error {
  constructor(readonly page: PageDefinition) {
    super(`page ${page.id} is incomplete`)
  }
}

/** A file as it arrived: streamed to a temporary file in the blob store's `incoming` folder. */
export interface Upload {
  fieldId: string
  filename: string
  path: string
  size: number
}

/** What an answer to a request for information may carry. */
export const responseDocumentLimits = { maxFiles: 5, maxBytes: 5 * 1024 * 1024 }

export type UploadProblem = { problem: 'fileType' | 'fileSize' | 'fileCount', params?: Record<string, string | number> }

const profileOf: Record<ProfileFieldName, (u: User) => string | null> = {
  fullName: (u) => u.fullName, birthdate: (u) => u.birthdate, gender: (u) => u.gender, citizenId: (u) => u.citizenId,
  address: (u) => u.address, phone: (u) => u.phone, email: (u) => u.email,
}

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex')

function fieldOf(form: FormDefinition, id: string): FieldDefinition | undefined {
  for (const page of form.pages) for (const field of page.fields) if (field.id === id) return field
  return undefined
}

export interface ApplicationDeps {
  repo: ApplicationRepository
  audit: AuditLog
  catalogue: CatalogueService
  blobs: BlobStore
  /** called after a submission commits, so the dispatcher delivers at once */
  wake: () => void
  /** queues the email telling the applicant of a status change, in the change's transaction */
  tellByEmail?: StatusEmail
  /** called after a change with an email commits, so the mail queue sends it at once */
  wakeMail?: () => void
}

type Actor = { id: string | null, kind: ActorKind }
/** A submission's outcome: the application, and the second code when the status check needs one. */
type Submitted = { application: Application, statusCode?: string }
type TransitionOptions = { message?: string | null, note?: string | null, agencyReference?: string | null, ctx?: RequestContext }

export function createApplicationService(deps: ApplicationDeps) {
  const { repo, audit, catalogue, blobs } = deps

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

  async function serviceWithForm(serviceId: string): Promise<{ service: Service, form: FormDefinition }> {
    const service = await catalogue.service(serviceId)
    if (!service?.form) throw new Error(`service ${serviceId} has no form`)
    return { service, form: service.form }
  }

  /** The declared profile fields, from the person's profile, and nothing else. */
  function declaredProfile(form: FormDefinition, user: User): Record<string, string> {
    const profile: Record<string, string> = {}
    for (const name of form.profileFields) {
      const value = profileOf[name](user)
      if (value) profile[name] = value
    }
    return profile
  }

  return {
    serviceWithForm,
    /** The profile values a service's form is prefilled with. */
    profileFor: declaredProfile,

    /**
     * Opens the person's draft of a service, or resumes the one they left. A new draft is
     * prefilled from the profile fields the service declared, and that read is recorded
     * in the audit trail with the person as its subject (they can see it).
     */
    async start(user: User, serviceId: string, actingFor: { code: string, name: string } | undefined, ctx: RequestContext) {
      const { service, form } = await serviceWithForm(serviceId)
      const existing = await repo.openDraft(user.id, serviceId, actingFor?.code ?? null)
      if (existing) return { application: existing, resumed: true }
      const profile = declaredProfile(form, user)
      const answers: Answers = {}
      for (const page of form.pages) for (const field of page.fields) {
        if (field.prefill && profile[field.prefill]) answers[field.id] = profile[field.prefill]!
      }
      const application = await repo.createDraft({
        serviceId: service.id, agencyId: service.agency.id, applicantId: user.id,
        onBehalfOf: actingFor?.code ?? null, onBehalfOfName: actingFor?.name ?? null, answers, currentPage: form.pages[0]!.id,
      }, newReference)
      await audit.record({ action: 'application.started', actorId: user.id, subjectId: user.id, onBehalfOf: actingFor?.code, ip: ctx.ip, requestId: ctx.requestId, detail: { reference: application.reference, service: service.id } })
      if (Object.keys(profile).length) {
        await audit.record({ action: 'data.prefill', actorId: user.id, subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId, detail: { reference: application.reference, service: service.id, fields: Object.keys(profile) } })
      }
      return { application, resumed: false }
    },

    /** The application, only for the person who made it; undefined otherwise (the route answers 404). */
    async ofApplicant(userId: string, referenceInput: string): Promise<Application | undefined> {
      const reference = parseReference(referenceInput)
      const app = reference ? await repo.byReference(reference) : undefined
      return app && app.applicantId === userId ? app : undefined
    },

    list: (userId: string) => repo.listFor(userId),

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
    async ofAgency(agencyId: string, referenceInput: string, officerId: string, ctx: RequestContext): Promise<Application | undefined> {
      const reference = parseReference(referenceInput)
      const app = reference ? await repo.byReference(reference) : undefined
      if (!app || app.agencyId !== agencyId || app.status === 'draft') return undefined
      await audit.record({ action: 'data.read', actorId: officerId, subjectId: app.applicantId, onBehalfOf: app.onBehalfOf, ip: ctx.ip, requestId: ctx.requestId, detail: { reference: app.reference, by: 'officer', agency: agencyId } })
      return app
    },
    events: (app: Application) => repo.events(app.id),
    documents: (app: Application) => repo.documents(app.id),
    document: (app: Application, id: string) => repo.document(app.id, id),
    openDocument: (doc: ApplicationDocument) => blobs.open(doc.sha256),

    /**
     * Stores uploaded files for a page: the type is read from the bytes (never the name
     * or the browser's claim), then size and count are checked against the field.
     * Returns per field what was refused; accepted files become documents of the draft.
     */
    async addUploads(app: Application, form: FormDefinition, uploads: Upload[], userId: string): Promise<Record<string, UploadProblem>> {
      const problems: Record<string, UploadProblem> = {}
      const existing = await repo.documents(app.id)
      try {
        for (const upload of uploads) {
          const field = fieldOf(form, upload.fieldId)
          if (!field || field.type !== 'file' || upload.size === 0) continue
          if (upload.size > field.maxSizeMb * 1024 * 1024) {
            problems[field.id] = { problem: 'fileSize', params: { max: field.maxSizeMb } }
            continue
          }
          const detected = await fileTypeFromFile(upload.path)
          if (!detected || !(field.accept as string[]).includes(detected.mime)) {
            problems[field.id] = { problem: 'fileType', params: { types: field.accept.map((t) => t.split('/')[1]!.toUpperCase()).join(', ') } }
            continue
          }
          if (existing.filter((d) => d.fieldId === field.id).length >= field.maxFiles) {
            problems[field.id] = { problem: 'fileCount', params: { max: field.maxFiles } }
            continue
          }
          const sha256 = await blobs.adopt(upload.path)
          const doc = await repo.addDocument({
            applicationId: app.id, fieldId: field.id, sha256, size: upload.size, contentType: detected.mime,
            filename: upload.filename.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 120) || 'document', uploadedBy: userId,
          })
          existing.push(doc)
        }
      } finally {
        // What was not adopted (refused, or after a failure) leaves no trace on disk.
        await Promise.all(uploads.map((u) => unlink(u.path).catch(() => {})))
      }
      return problems
    },

    /** Where uploads are streamed before they are checked and adopted. */
    uploadsDir: blobs.incoming,

    /** Documents sent with an answer to a request for information: PDF, JPEG or PNG, 5 at most, 5 MB each. */
    async addResponseDocuments(app: Application, uploads: Upload[], userId: string): Promise<UploadProblem | undefined> {
      const responseForm: FormDefinition = {
        profileFields: [], declaration: { vi: '-', en: '-', fr: '-' },
        pages: [{ id: 'response', title: { vi: '-', en: '-', fr: '-' }, fields: [{
          id: 'response', type: 'file', label: { vi: '-', en: '-', fr: '-' }, required: false,
          accept: ['application/pdf', 'image/jpeg', 'image/png'], maxFiles: responseDocumentLimits.maxFiles, maxSizeMb: responseDocumentLimits.maxBytes / 1024 / 1024,
        }] }],
      }
      const problems = await this.addUploads(app, responseForm, uploads.map((u) => ({ ...u, fieldId: 'response' })), userId)
      return problems['response']
    },

    /** Deletes a draft and its documents (the files stay while another draft shares them). */
    async deleteDraft(app: Application, ctx: RequestContext): Promise<boolean> {
      if (app.status !== 'draft' || !(await repo.deleteDraft(app.id))) return false
      await audit.record({ action: 'application.draft-deleted', actorId: app.applicantId, subjectId: app.applicantId, onBehalfOf: app.onBehalfOf, ip: ctx.ip, requestId: ctx.requestId, detail: { reference: app.reference, service: app.serviceId } })
      return true
    },

    async removeDocument(app: Application, documentId: string): Promise<void> {
      if (app.status === 'draft') await repo.removeDocument(app.id, documentId)
    },

    /**
     * Checks and saves one page of a draft. File fields count the documents already
     * uploaded for them. Returns the errors, or the page that comes next (undefined:
     * "check your answers").
     */
    async savePage(app: Application, form: FormDefinition, page: PageDefinition, posted: Record<string, unknown>) {
      const answers = app.answers
      const documents = await repo.documents(app.id)
      const withFiles: Record<string, unknown> = { ...posted }
      for (const field of page.fields) {
        if (field.type === 'file') withFiles[field.id] = documents.filter((d) => d.fieldId === field.id).map((d) => d.id)
      }
      const checked = checkPage(page, withFiles, answers)
      if (Object.keys(checked.errors).length) {
        // The page is shown again with what was typed, as it was typed.
        const typed: Answers = {}
        for (const field of page.fields) {
          const raw = posted[field.id]
          if (field.type !== 'file' && (typeof raw === 'string' || Array.isArray(raw))) typed[field.id] = typeof raw === 'string' ? raw.trim() : raw.map(String)
        }
        return { errors: checked.errors, answers: { ...answers, ...checked.answers, ...typed } }
      }
      const merged = { ...answers, ...checked.answers }
      const next = nextPage(form, page.id, merged)
      await repo.saveAnswers(app.id, merged, next?.id ?? 'check')
      return { errors: {} as Record<string, FieldError>, next }
    },

    /**
     * Submits a draft. Idempotent: a double click, a retry or a resubmission from the back
     * button finds the application already submitted and returns it. Atomic: the status,
     * the first event, the outbox row and the audit entry are one transaction; the agency
     * is reached afterwards, by the dispatcher.
     */
    async submit(app: Application, user: User, session: { assuranceLevel: number }, ctx: RequestContext): Promise<Submitted> {
      if (app.status !== 'draft') return { application: app }
      const { form } = await serviceWithForm(app.serviceId)
      const answers = keptAnswers(form, app.answers)
      const incomplete = firstIncompletePage(form, answers)
      if (incomplete) throw new Incomplete(incomplete)
      const profile = declaredProfile(form, user)
      const answered = form.applicantBirthdate ? answers[form.applicantBirthdate] : undefined
      const birthdate = profile['birthdate'] ?? (typeof answered === 'string' ? answered : null) ?? user.birthdate
      // Without a birthdate, a visitor checks the status with a second code, shown once.
      const statusCode = birthdate ? undefined : randomBytes(5).toString('hex').toUpperCase()
      const submittedAt = new Date().toISOString()
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

    stuckDeliveries: () => repo.stuckDeliveries(),
    deliveryLog: () => repo.deliveryLog(),

    /** An administrator sends a failed or dead-lettered delivery again (re-enabling a gone endpoint). */
    async redeliver(outboxId: string, agencyId: string, actorId: string, ctx: RequestContext): Promise<boolean> {
      await repo.enableEndpoint(agencyId)
      const ok = await repo.redeliver(outboxId)
      if (ok) {
        await audit.record({ action: 'delivery.redelivered', actorId, ip: ctx.ip, requestId: ctx.requestId, detail: { outbox: outboxId, agency: agencyId } })
        deps.wake()
      }
      return ok
    },

    inbox: (userId: string) => repo.inbox(userId),
    markInboxRead: (userId: string) => repo.markInboxRead(userId),
  }
}

export type ApplicationService = ReturnType<typeof createApplicationService>
