// What an agency manages for itself: its API keys and its endpoint. Storage maps its
// rows to these (server/db/agencyRepository.ts).

export const scopes = ['services:write', 'applications:read', 'applications:write', 'deliveries:read', 'deliveries:write'] as const
export type Scope = (typeof scopes)[number]

export type KeyEnvironment = 'live' | 'test'

export interface ApiKey {
  /** the public part of the key, shown in lists and logs */
  id: string
  agencyId: string
  name: string
  environment: KeyEnvironment
  scopes: Scope[]
  secretHash: string
  /** addresses or CIDR ranges the key may be used from; empty: any */
  ipAllowlist: string[]
  createdBy: string
  createdAt: string
  expiresAt: string
  revokedAt: string | null
  revokedBy: string | null
  /** the key this one was rotated into; it keeps working until expiresAt (the grace period) */
  rotatedTo: string | null
  lastUsedAt: string | null
  lastUsedIp: string | null
  /** the notices (days before expiry) already sent */
  noticesSent: number[]
}

export type EndpointState = 'unverified' | 'active' | 'suspended'

export interface Endpoint {
  agencyId: string
  url: string
  /** the secrets to sign with: the current one first, then the previous one during a rotation */
  secrets: string[]
  origin: 'settings' | 'agency'
  state: EndpointState
  verifiedAt: string | null
  suspendedAt: string | null
  suspendedReason: string | null
  previousSecretUntil: string | null
  registeredBy: string | null
  registeredAt: string | null
  consecutiveFailures: number
  failingSince: string | null
  lastError: string | null
  lastErrorAt: string | null
  lastSuccessAt: string | null
}

/** A private or loopback host:port a portal administrator allowed endpoints to use. */
export interface EndpointHost {
  host: string
  port: number
  allowedBy: string
  allowedAt: string
  note: string | null
}

/** The last 24 hours of deliveries to an agency. */
export interface EndpointHealth {
  attempts: number
  succeeded: number
  /** succeeded / attempts; null without attempts */
  successRate: number | null
  p50Ms: number | null
  p95Ms: number | null
}
