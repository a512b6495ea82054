import { unlink } from 'node:fs/promises'
import { fileTypeFromFile } from 'file-type'
import type { AuditLog } from '../ports.js'
import { checkPage, nextPage, type Answers, type FieldError } from '../forms/formEngine.js'
import type { FieldDefinition, FormDefinition, PageDefinition } from '../forms/formSchema.js'
import type { RequestContext } from '../identity/accountService.js'
import type { User } from '../identity/model.js'
import type { applicantForms } from './applicantForms.js'
import type { BlobStore } from './blobStore.js'
import type { Application, ApplicationDocument } from './model.js'
import { newReference, parseReference } from './reference.js'
import type { ApplicationRepository } from './repository.js'

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

function fieldOf(form: FormDefinition, id: string): FieldDefinition | undefined {
  for (const page of form.pages) for (const field of page.fields) if (field.id === id) return field
  return undefined
}

export interface DraftDeps {
  repo: ApplicationRepository
  audit: AuditLog
  blobs: BlobStore
  forms: ReturnType<typeof applicantForms>
}

/** A person's drafts: opened, answered page by page with their documents, deleted. */
export function createDrafts(deps: DraftDeps) {
  const { repo, audit, blobs } = deps
  const { serviceWithForm, declaredProfile } = deps.forms

  /**
   * Stores uploaded files for a page: the type is read from the bytes (never the name
   * or the browser's claim), then size and count are checked against the field.
   * Returns per field what was refused; accepted files become documents of the draft.
   */
  async function addUploads(app: Application, form: FormDefinition, uploads: Upload[], userId: string): Promise<Record<string, UploadProblem>> {
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
  }

  return {
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
        serviceId: service.id, serviceVersion: service.version, agencyId: service.agency.id, applicantId: user.id,
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

    documents: (app: Application) => repo.documents(app.id),
    document: (app: Application, id: string) => repo.document(app.id, id),
    openDocument: (doc: ApplicationDocument) => blobs.open(doc.sha256),

    addUploads,

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
      const problems = await addUploads(app, responseForm, uploads.map((u) => ({ ...u, fieldId: 'response' })), userId)
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

  }
}
