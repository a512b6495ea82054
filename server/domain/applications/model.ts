// The application as the domain knows it (DESIGN.md, Application lifecycle). Storage
// maps its rows to these (server/db/applicationRepository.ts); routes and templates see
// only these.
import type { Localized } from '../catalogue/types.js'
import type { Answers } from '../forms/formEngine.js'

export const applicationStatuses = ['draft', 'submitted', 'received', 'in_review', 'info_requested', 'approved', 'rejected', 'withdrawn'] as const
export type ApplicationStatus = (typeof applicationStatuses)[number]

export const finalStatuses: ApplicationStatus[] = ['approved', 'rejected', 'withdrawn']

export type ActorKind = 'citizen' | 'officer' | 'agency' | 'system'

export interface Application {
  id: string
  reference: string
  serviceId: string
  agencyId: string
  applicantId: string
  /** the enterprise code, when the applicant acts for a business */
  onBehalfOf: string | null
  onBehalfOfName: string | null
  status: ApplicationStatus
  answers: Answers
  /** the profile fields the service declared, as they were at submission */
  profile: Record<string, string> | null
  /** where the applicant left the draft: a page id, or "check" */
  currentPage: string | null
  applicantBirthdate: string | null
  statusCodeHash: string | null
  assuranceLevel: number | null
  agencyReference: string | null
  createdAt: string
  updatedAt: string
  submittedAt: string | null
  decidedAt: string | null
  /** the service's version the application was made with (its form) */
  serviceVersion: number | null
  /** the day the decision is due (Vietnam, working days; ../calendar/workingDays.ts) */
  dueOn: string | null
  /** the day its clock stopped for information the applicant was asked for; null while it runs */
  clockStoppedOn: string | null
  /** the officer who has it in hand */
  assignedTo: string | null
}

/** What a submission fixes on the application. */
export type Submission = Pick<Application, 'answers' | 'profile' | 'submittedAt' | 'currentPage' | 'applicantBirthdate' | 'statusCodeHash' | 'assuranceLevel'>

export interface ApplicationDocument {
  id: string
  applicationId: string
  fieldId: string
  sha256: string
  size: number
  contentType: string
  filename: string
  uploadedBy: string
  createdAt: string
}

export interface ApplicationEvent {
  id: number
  applicationId: string
  at: string
  actorId: string | null
  actorKind: ActorKind
  fromStatus: ApplicationStatus | null
  toStatus: ApplicationStatus
  /** shown to the applicant */
  message: string | null
  /** for the agency only */
  note: string | null
  /** null for a change of status; 'apology' for an apology for lateness with a new date */
  kind: EventKind | null
  /** the new due date an apology gave */
  newDueOn: string | null
}

export type EventKind = 'apology'

export interface NewEvent {
  applicationId: string
  actorId: string | null
  actorKind: ActorKind
  from: ApplicationStatus | null
  to: ApplicationStatus
  message?: string | null
  note?: string | null
  kind?: EventKind | null
  newDueOn?: string | null
}

/** One line of a person's list of applications. */
export interface ApplicationSummary {
  reference: string
  status: ApplicationStatus
  updatedAt: string
  submittedAt: string | null
  onBehalfOfName: string | null
  currentPage: string | null
  serviceId: string
  serviceName: Localized
}

/** One line of an agency's inbox, before its deadline is worked out. */
export interface AgencyInboxRow {
  reference: string
  status: ApplicationStatus
  submittedAt: string | null
  updatedAt: string
  onBehalfOfName: string | null
  serviceName: Localized
  processingDays: number | null
  applicantName: string | null
  /** who acted last on the application */
  lastActor: ActorKind | null
  dueOn: string | null
  clockStoppedOn: string | null
  decidedAt: string | null
  assignedTo: string | null
  assignedName: string | null
}

export interface InboxMessage {
  id: number
  at: string
  status: ApplicationStatus
  message: string | null
  readAt: string | null
  reference: string
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead' | 'disabled'

/** A delivery that needs a person: failed for good, dead-lettered, or held by a disabled endpoint. */
export interface StuckDelivery {
  id: string
  agencyId: string
  status: DeliveryStatus
  attempts: number
  lastError: string | null
  createdAt: string
  reference: string
}

/** One attempt in the delivery log (status, latency, error; never the body). */
export interface DeliveryAttempt {
  id: number
  outboxId: string
  applicationId: string
  agencyId: string
  attempt: number
  at: string
  target: string
  outcome: 'accepted' | 'retry' | 'final' | 'dead'
  statusCode: number | null
  latencyMs: number
  error: string | null
  reference: string | null
}

/** A claimed row of the outbox: one application owed to its agency. */
export interface OutboxItem {
  id: string
  applicationId: string
  agencyId: string
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number
  deliveredAt: string | null
}
