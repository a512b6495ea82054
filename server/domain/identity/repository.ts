// What the account and business use cases need of storage; server/db/identityRepository.ts
// implements it.
import type { AuditEntry } from '../ports.js'
import type { AuditRecord, Enterprise, ProfileFields, Representation, TokenPurpose, User } from './model.js'

export interface NewUser {
  email: string
  passwordHash: string | null
  fullName: string
  role?: string
  agencyId?: string | null
  verified?: boolean
}

export interface IdentityRepository {
  findUserById(id: string): Promise<User | undefined>
  findUserByEmail(email: string): Promise<User | undefined>
  findUserByNationalSub(sub: string): Promise<User | undefined>
  /** With `ifAbsent`, an address another instance registered a moment before is left as it is. */
  createUser(user: NewUser, options?: { ifAbsent?: boolean }): Promise<User>
  createNationalUser(sub: string, profile: ProfileFields, verifiedFields: string[], level: number): Promise<User>
  recordFailedSignIn(id: string, lockUntil: (failures: number) => string | null): Promise<{ failures: number, lockedUntil: string | null }>
  recordSuccessfulSignIn(id: string): Promise<void>
  markEmailVerified(id: string): Promise<void>
  /** Gives the account a verified address; false when another account holds it. */
  setVerifiedEmail(id: string, email: string): Promise<boolean>
  setPassword(id: string, passwordHash: string): Promise<void>
  endSessionsOf(id: string): Promise<void>
  /** Links (or refreshes) the national identity of an account, overwriting what it vouches for. */
  setNationalIdentity(id: string, sub: string, profile: ProfileFields, verifiedFields: string[], level: number): Promise<void>
  updateProfile(id: string, profile: ProfileFields): Promise<void>
  setRole(id: string, role: string, agencyId: string | null): Promise<void>
  /** People by email or name (tone marks and case ignored), newest first. */
  searchUsers(query: string, limit?: number): Promise<User[]>
  staffOf(agencyId: string): Promise<User[]>
  findEnterprise(code: string): Promise<Enterprise | undefined>
  /** A live enterprise whose folded name is this. */
  findEnterpriseByFoldedName(folded: string): Promise<Enterprise | undefined>
  seedEnterprises(enterprises: Enterprise[]): Promise<void>
  representationsOf(userId: string): Promise<Representation[]>
  addRepresentation(userId: string, code: string, name: string): Promise<void>
  removeRepresentation(userId: string, code: string): Promise<boolean>
  agencyExists(id: string): Promise<boolean>
  saveToken(token: { tokenHash: string, userId: string, purpose: TokenPurpose, expiresAt: string, email?: string }): Promise<void>
  /** Marks a live token used and returns it; undefined when unknown, used or expired. */
  consumeToken(tokenHash: string, purpose: TokenPurpose, userId?: string): Promise<{ userId: string, email: string | null } | undefined>
  audit(entry: AuditEntry): Promise<void>
  /** The whole trail, newest first; before = an id to page back from. */
  auditOf(subjectId: string, limit?: number): Promise<AuditRecord[]>
}
