// People, their accounts and the businesses they act for, as the domain knows them.
// Storage maps its rows to these (server/db/identityRepository.ts).

export const roles = ['citizen', 'officer', 'agency_admin', 'auditor', 'admin'] as const
export type Role = (typeof roles)[number]

/** The roles that belong to exactly one agency. */
export const agencyRoles: readonly Role[] = ['officer', 'agency_admin']
export const isAgencyRole = (role: string) => (agencyRoles as readonly string[]).includes(role)

export interface User {
  id: string
  email: string | null
  emailVerifiedAt: string | null
  passwordHash: string | null
  role: string
  /** the agency an officer or agency administrator works for */
  agencyId: string | null
  fullName: string | null
  failedSignIns: number
  lockedUntil: string | null
  createdAt: string
  updatedAt: string
  birthdate: string | null
  gender: 'male' | 'female' | null
  citizenId: string | null
  address: string | null
  phone: string | null
  /** the national identity provider's subject, once linked */
  nationalSub: string | null
  /** the profile fields the national identity provider vouched for */
  verifiedFields: string[]
  assuranceLevel: number | null
}

/** The profile fields a person (or the national identity provider) can set. */
export type ProfileFields = Partial<Pick<User, 'fullName' | 'birthdate' | 'gender' | 'citizenId' | 'address' | 'phone'>>

export interface Enterprise {
  code: string
  name: string
  /** the name without case, tone marks or punctuation */
  nameFolded: string
  representativeCitizenId: string
  representativeName: string
  address: string
  status: 'active' | 'suspended' | 'dissolved'
  registeredOn: string
}

/** A business a person may act for. */
export interface Representation {
  userId: string
  enterpriseCode: string
  enterpriseName: string
  linkedAt: string
}

export type TokenPurpose = 'verify-email' | 'reset-password' | 'add-email' | 'data-export'

export interface AuditRecord {
  id: number
  at: string
  action: string
  actorId: string | null
  subjectId: string | null
  ip: string | null
  requestId: string | null
  detail: Record<string, unknown>
  onBehalfOf: string | null
}
