import { hash, verify } from '@node-rs/argon2'
import { dictionary } from '@zxcvbn-ts/language-common'

// OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane.
export const argon2Options = { algorithm: 2 as const, memoryCost: 19456, timeCost: 2, parallelism: 1 }

export const minPasswordLength = 12
export const maxPasswordLength = 128

const common = new Set(dictionary.passwords.map((p) => p.toLowerCase()))

export type PasswordProblem = 'tooShort' | 'tooLong' | 'common'

/** Length and a list of common passwords, as NIST SP 800-63B asks; no composition rules. */
export function passwordProblem(password: string): PasswordProblem | undefined {
  const length = [...password].length
  if (length < minPasswordLength) return 'tooShort'
  if (length > maxPasswordLength) return 'tooLong'
  if (common.has(password.toLowerCase())) return 'common'
  return undefined
}

export const hashPassword = (password: string) => hash(password, argon2Options)
export const verifyPassword = (hashed: string, password: string) => verify(hashed, password).catch(() => false)

// Verified against when no account matches, so a sign-in takes as long either way.
let dummy: Promise<string> | undefined
export const dummyHash = () => (dummy ??= hashPassword('not a real password, only for timing'))
