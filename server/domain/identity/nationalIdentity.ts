import { z } from 'zod'
import type { ProfileFields } from './model.js'

/**
 * The claims the national identity provider returns (ID token and userinfo). Modelled on
 * VNeID: a stable subject, the person's civil data, the citizen ID (CCCD) and the level
 * the account was verified at (1: data matched; 2: photo or fingerprint checked).
 */
export const nationalClaims = z.object({
  sub: z.string().min(1).max(255),
  name: z.string().trim().min(1).max(200).optional(),
  birthdate: z.iso.date().optional(),
  gender: z.enum(['male', 'female']).optional(),
  phone_number: z.string().regex(/^\+?\d{8,15}$/).optional(),
  citizen_id: z.string().regex(/^\d{12}$/).optional(),
  // Decides what the person may apply for: a provider that does not say is refused, never assumed.
  assurance_level: z.coerce.number().int().min(1).max(2),
})

export type NationalClaims = z.infer<typeof nationalClaims>

/** The profile the provider vouches for, and the names of those fields (shown as verified). */
export function profileFromClaims(claims: NationalClaims): { profile: ProfileFields, verified: string[] } {
  const profile: ProfileFields = {}
  if (claims.name) profile.fullName = claims.name
  if (claims.birthdate) profile.birthdate = claims.birthdate
  if (claims.gender) profile.gender = claims.gender
  if (claims.citizen_id) profile.citizenId = claims.citizen_id
  if (claims.phone_number) profile.phone = claims.phone_number
  return { profile, verified: Object.keys(profile) }
}
