import type { CatalogueService } from '../catalogue/catalogueService.js'
import type { AuditLog } from '../ports.js'
import { applicantForms } from './applicantForms.js'
import type { BlobStore } from './blobStore.js'
import { createDeliveries } from './deliveries.js'
import { createDrafts } from './drafts.js'
import { createInbox } from './inbox.js'
import { createLifecycle } from './lifecycle.js'
import type { ApplicationRepository } from './repository.js'
import type { StatusEmail } from './statusEmail.js'
import { createSubmission } from './submission.js'

export { finalStatuses } from './model.js'
export { IllegalTransition } from './lifecycle.js'
export { Incomplete } from './submission.js'
export { responseDocumentLimits, type Upload, type UploadProblem } from './drafts.js'

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
  /** the time; the real clock by default */
  clock?: (() => Date) | undefined
}

/**
 * The application use cases, one file per concern: drafts and their documents
 * (drafts.ts), submission (submission.ts), the lifecycle after it (lifecycle.ts),
 * deliveries for administrators (deliveries.ts) and the person's inbox (inbox.ts).
 */
export function createApplicationService(deps: ApplicationDeps) {
  const { repo, audit, blobs, wake } = deps
  const forms = applicantForms(deps.catalogue)
  return {
    serviceWithForm: forms.serviceWithForm,
    /** The profile values a service's form is prefilled with. */
    profileFor: forms.declaredProfile,
    ...createDrafts({ repo, audit, blobs, forms }),
    ...createSubmission({ repo, audit, forms, wake, clock: deps.clock }),
    ...createLifecycle({ repo, audit, tellByEmail: deps.tellByEmail, wakeMail: deps.wakeMail, clock: deps.clock }),
    ...createDeliveries({ repo, audit, wake }),
    ...createInbox({ repo }),
  }
}

export type ApplicationService = ReturnType<typeof createApplicationService>
