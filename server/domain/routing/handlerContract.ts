// The contract between the portal and an agency's handler. Handlers (services/<agency>/)
// see only this: the application with the profile fields its service declared, its
// documents' metadata, and a context. They never see the database.

export interface HandlerApplication {
  reference: string
  serviceId: string
  submittedAt: string
  /** the answers to the service's form */
  answers: Record<string, string | string[]>
  /** only the profile fields the service declared it needs */
  profile: Record<string, string>
  /** 0: signed in with a password; 1 or 2: the national identity level */
  assuranceLevel: number
  onBehalfOf: { enterpriseCode: string, name: string } | null
  documents: Array<{ id: string, field: string, filename: string, contentType: string, size: number, sha256: string }>
}

export interface HandlerContext {
  requestId: string
  /** the outbox row's id: the same on every retry, for the agency to de-duplicate on */
  deliveryId: string
  log: { info(obj: object, msg?: string): void, warn(obj: object, msg?: string): void }
  /**
   * The next number of one of the agency's own series (e.g. its dossier numbers),
   * counted in the portal database: never handed out twice, across restarts and
   * instances. A retried delivery draws a new one, so a series may have gaps.
   */
  nextNumber(series: string): Promise<number>
  /** data-sharing lookups the portal offers handlers */
  lookups: {
    /** a live enterprise registered under this name (case and tone marks ignored) */
    enterpriseNamed(name: string): Promise<{ code: string, name: string } | undefined>
  }
}

/** A message for the applicant, in the portal's three languages. */
export interface HandlerMessage { vi: string, en: string, fr: string }

/** What a handler decides. A refusal is final and its message is shown to the applicant. */
export type HandlerResult =
  | { outcome: 'accepted', agencyReference?: string, message?: HandlerMessage, /** HTTP status, for a remote endpoint's delivery log */ statusCode?: number }
  | { outcome: 'refused', message: HandlerMessage }

/** Try again later (the agency is down, a timeout): the dispatcher retries with backoff. */
export class RetryableError extends Error {
  /** the HTTP status, when a remote endpoint answered */
  statusCode?: number
  constructor(message: string, readonly retryAfterSeconds?: number) {
    super(message)
  }
}

/** Never going to work (the request is malformed for the agency): no retry; visible to the agency and administrators. */
export class FinalError extends Error {
  statusCode?: number
}

export interface AgencyHandler {
  handle(application: HandlerApplication, ctx: HandlerContext): Promise<HandlerResult>
}
