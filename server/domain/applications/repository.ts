// What the application use cases need of storage; server/db/applicationRepository.ts
// implements it over SQLite or PostgreSQL.
import type { Answers } from '../forms/formEngine.js'
import type { Commit, CommitOne, Tx } from '../ports.js'
import type { DeadlineState } from './deadline.js'
import type {
  AgencyInboxRow, Application, ApplicationDocument, ApplicationEvent, ApplicationStatus, ApplicationSummary,
  DeliveryAttempt, InboxMessage, NewEvent, StuckDelivery, Submission,
} from './model.js'

export type NewDraft = Pick<Application, 'serviceId' | 'serviceVersion' | 'agencyId' | 'applicantId' | 'onBehalfOf' | 'onBehalfOfName' | 'answers' | 'currentPage'>
export type NewDocument = Omit<ApplicationDocument, 'id' | 'createdAt'>
export interface AgencyFilter {
  status?: string | undefined
  reference?: string | undefined
  /** folded: no case, no tone marks */
  name?: string | undefined
  serviceId?: string | undefined
  assignedTo?: string | undefined
  /** by where they stand against their due date on `today` */
  due?: DeadlineState | undefined
  today: string
  /** the first working day after today: due by then is due soon */
  soon: string
  page: number
  pageSize: number
}
/** A page of an agency's applications in (updatedAt, id) order, after a position: the Agency API's cursor. */
export interface AgencyPage {
  status?: ApplicationStatus | undefined
  updatedSince?: string | undefined
  after?: { updatedAt: string, id: string } | undefined
  limit: number
}

export interface ApplicationRepository {
  /** Runs writes in one transaction, group-committed with others on SQLite. */
  commit: Commit
  /** The same for one statement (an audit entry): no savepoint. */
  commitOne: CommitOne
  /** A new draft under a fresh reference (drawn again when taken). */
  createDraft(draft: NewDraft, newReference: () => string): Promise<Application>
  byReference(reference: string): Promise<Application | undefined>
  byId(id: string): Promise<Application | undefined>
  byIds(ids: string[]): Promise<Application[]>
  /** The person's open draft of a service (as themselves or for one business). */
  openDraft(applicantId: string, serviceId: string, onBehalfOf: string | null): Promise<Application | undefined>
  listFor(applicantId: string): Promise<ApplicationSummary[]>
  /** A page of the agency's applications, the soonest due first (none due last). */
  forAgency(agencyId: string, filter: AgencyFilter): Promise<{ rows: AgencyInboxRow[], total: number }>
  /** The service's processing time in working days, read in the caller's transaction. */
  processingDays(tx: Tx, serviceId: string): Promise<number | null>
  /** The same for several services at once, outside a transaction (the dispatcher's batch). */
  processingDaysOf(serviceIds: string[]): Promise<Map<string, number | null>>
  setDue(tx: Tx, id: string, dueOn: string): Promise<void>
  assign(tx: Tx, id: string, userId: string | null): Promise<void>
  pageForAgency(agencyId: string, page: AgencyPage): Promise<Application[]>
  saveAnswers(id: string, answers: Answers, currentPage: string | null): Promise<void>
  events(applicationId: string): Promise<ApplicationEvent[]>
  addEvent(tx: Tx, event: NewEvent, at?: string): Promise<void>
  documents(applicationId: string): Promise<ApplicationDocument[]>
  documentsOf(applicationIds: string[]): Promise<ApplicationDocument[]>
  document(applicationId: string, id: string): Promise<ApplicationDocument | undefined>
  addDocument(doc: NewDocument): Promise<ApplicationDocument>
  removeDocument(applicationId: string, id: string): Promise<void>
  /** Drops the documents uploaded for a question, inside the caller's transaction. */
  removeFieldDocuments(tx: Tx, applicationId: string, fieldId: string): Promise<void>
  /** Deletes a draft with its documents, only while it is still a draft. */
  deleteDraft(id: string): Promise<boolean>
  /** Moves the application only if it still has status `from`; true if it moved. */
  moveStatus(tx: Tx, id: string, from: ApplicationStatus, to: ApplicationStatus, extra?: Partial<Pick<Application, 'decidedAt' | 'agencyReference' | 'dueOn' | 'clockStoppedOn'>>): Promise<boolean>
  /** A draft becomes submitted, with what was checked at submission; true if it was still a draft. */
  markSubmitted(tx: Tx, id: string, submission: Submission): Promise<boolean>
  /** The row the dispatcher delivers from; its id. */
  addOutbox(tx: Tx, applicationId: string, agencyId: string): Promise<string>
  notify(tx: Tx, userId: string, applicationId: string, status: ApplicationStatus, message: string | null): Promise<void>
  inbox(userId: string): Promise<InboxMessage[]>
  markInboxRead(userId: string): Promise<void>
  /** Deliveries that need a person, of every agency or of one. */
  stuckDeliveries(agencyId?: string): Promise<StuckDelivery[]>
  /** The newest attempts first; `before` an attempt's id for the next page. */
  deliveryLog(options?: { limit?: number, agencyId?: string | undefined, before?: number | undefined }): Promise<DeliveryAttempt[]>
  /**
   * Puts a delivery back in the queue, due now, with its attempts counted afresh: one that
   * is stuck, or, for its own agency, one already delivered (sent again with its webhook-id).
   * False when there is no such delivery.
   */
  redeliver(outboxId: string, agencyId?: string): Promise<boolean>
  /** The next value of a named counter, atomically, starting at 1. */
  nextNumber(name: string): Promise<number>
}
