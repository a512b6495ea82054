import type { Tx } from '../ports.js'
import type { ApiKey, Endpoint, EndpointHealth, EndpointHost } from './model.js'

/** The endpoint columns an agency (or the settings' import) writes when it registers or rotates. */
export interface EndpointRegistration {
  url: string
  secret: string
  previousSecret: string | null
  previousSecretUntil: string | null
  origin: 'settings' | 'agency'
  verifiedAt: string | null
  registeredBy: string | null
}

/** A run of failed deliveries to an endpoint. */
export interface FailureRun { consecutiveFailures: number, failingSince: string | null }

/** What the first request with an Idempotency-Key left: its body's hash, and its answer once it has one. */
export interface IdempotencyRecord {
  requestHash: string
  statusCode: number | null
  response: string | null
  createdAt: number
}

/** The agencies' own settings in storage (server/db/agencyRepository.ts). */
export interface AgencyRepository {
  insertKey(key: ApiKey, tx?: Tx): Promise<void>
  key(id: string): Promise<ApiKey | undefined>
  keysOf(agencyId: string): Promise<ApiKey[]>
  updateKey(id: string, change: Partial<Pick<ApiKey, 'revokedAt' | 'revokedBy' | 'rotatedTo' | 'expiresAt' | 'noticesSent'>>, tx?: Tx): Promise<void>
  /** Records the last use of a key. */
  touchKey(id: string, at: string, ip: string | null): Promise<void>
  /** Keys in force (not revoked, not rotated) that expire before `before`. */
  keysExpiringBefore(before: string): Promise<ApiKey[]>

  endpoint(agencyId: string): Promise<Endpoint | undefined>
  endpointsOf(agencyIds: string[]): Promise<Endpoint[]>
  /** Writes the endpoint's address and secrets; a new address starts unverified and not suspended. */
  saveEndpoint(agencyId: string, registration: EndpointRegistration, tx?: Tx): Promise<void>
  /** Marks the endpoint verified and makes the agency's held deliveries due now. */
  markVerified(agencyId: string, at: string): Promise<void>
  removeEndpoint(agencyId: string, tx?: Tx): Promise<void>
  /** One delivery's outcome: resets or extends the run of failures; returns the run. */
  recordOutcome(tx: Tx, agencyId: string, outcome: { ok: boolean, error: string | null, at: string }): Promise<FailureRun>
  suspend(agencyId: string, reason: string, at: string, tx?: Tx): Promise<void>
  /** Lifts a suspension and makes the agency's held deliveries due now. */
  resume(agencyId: string, tx?: Tx): Promise<void>
  health(agencyId: string, since: string): Promise<EndpointHealth>
  /** The ids of the agency's administrators, for the emails about its keys and endpoint. */
  administratorsOf(agencyId: string): Promise<string[]>

  hosts(): Promise<EndpointHost[]>
  hostAllowed(host: string, port: number): Promise<boolean>
  allowHost(host: EndpointHost, tx?: Tx): Promise<void>
  removeHost(host: string, port: number, tx?: Tx): Promise<boolean>

  /** Claims an Idempotency-Key for a first request; the existing record when it was claimed before. */
  claimIdempotencyKey(agencyId: string, key: string, requestHash: string, now: number): Promise<IdempotencyRecord | undefined>
  finishIdempotencyKey(agencyId: string, key: string, statusCode: number, response: string): Promise<void>
  releaseIdempotencyKey(agencyId: string, key: string): Promise<void>
  /** Forgets the keys claimed before `before` (epoch ms). */
  purgeIdempotencyKeys(before: number): Promise<number>
}
