// What the open statistics are computed from: the portal's own records, read once per
// refresh (server/db/statisticsRepository.ts). Nothing here names a person.
import type { ApplicationStatus } from '../applications/model.js'
import type { Tx } from '../ports.js'

/** An application, as far as the statistics need it. Times are ISO instants. */
export interface ApplicationFact {
  serviceId: string
  agencyId: string
  status: ApplicationStatus
  createdAt: string
  submittedAt: string | null
  /** when the agency received it (its first move to received) */
  receivedAt: string | null
  /** when it was decided or withdrawn */
  decidedAt: string | null
  dueOn: string | null
  /** the days the working-day clock stood still, waiting for the applicant: [stopped on, restarted on, or null if it never restarted] */
  waits: Array<[string, string | null]>
  /** an apology for lateness gave it a new date (it was late, whatever the new date) */
  apologized: boolean
  /** a result document was issued electronically and is not revoked */
  resultIssued: boolean
}

/** One answer to "how satisfied are you"; score null when the applicant chose not to answer. */
export interface RatingFact {
  serviceId: string
  agencyId: string
  score: number | null
  answeredAt: string
}

/** One application's delivery to an agency's own endpoint (not an in-process handler or the officer console). */
export interface DeliveryFact {
  serviceId: string
  agencyId: string
  firstAttemptAt: string
  delivered: boolean
  /** accepted at its first attempt */
  firstAttempt: boolean
}

/** What the catalogue says of a service, for the index. */
export interface ServiceFact {
  id: string
  agencyId: string
  /** fee (or why it varies), processing time, documents and legal basis all published */
  informationComplete: boolean
  /** the portal takes applications for it online, from start to result */
  fullyOnline: boolean
}

export interface StatisticsFacts {
  applications: ApplicationFact[]
  ratings: RatingFact[]
  deliveries: DeliveryFact[]
  services: ServiceFact[]
}

export interface NewRating { applicationId: string, serviceId: string, agencyId: string, score: number | null, comment: string | null, at: string }

export interface AgencyRating { reference: string, serviceId: string, score: number | null, comment: string | null, answeredAt: string }

export interface StatisticsRepository {
  /**
   * The applications a figure since `since` (ISO) can count (started, submitted or
   * decided since, or still with the agency), a chunk at a time, so that memory does not
   * grow with their number; likewise the answers and the deliveries to endpoints.
   */
  applications(since: string): AsyncIterable<ApplicationFact[]>
  ratings(since: string): AsyncIterable<RatingFact[]>
  deliveries(since: string): AsyncIterable<DeliveryFact[]>
  /** Every active service, for the index. */
  services(): Promise<ServiceFact[]>
  /** The applicant's answer, once per application; false when they had already answered. */
  rate(tx: Tx, rating: NewRating): Promise<boolean>
  /** The applicant's answer for this application (score and comment null when they declined); undefined before they answer. */
  answer(applicationId: string): Promise<{ score: number | null, comment: string | null, answeredAt: string } | undefined>
  /** The answers with a comment or a score for an agency's applications, newest first: for the agency only. */
  ratingsFor(agencyId: string, limit: number): Promise<AgencyRating[]>
}
