import { randomInt } from 'node:crypto'

// References look like HS-2611-7K3F-9QX2: "HS" (hồ sơ), year and month, seven random
// Crockford base-32 characters (35 bits) and a check character (Luhn mod 32 over all
// the characters after "HS"), which catches every single mistyped character and most
// swapped neighbours. Crockford's alphabet has no I, L, O or U, so what people type
// for them (1, 1, 0) is read back correctly.
export const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const alphabet = crockford
const values = new Map([...alphabet].map((c, i) => [c, i]))

/** Luhn mod 32 over Crockford characters: one more character that catches a mistyped one. */
export function checkCharacter(body: string): string {
  let sum = 0
  let double = true
  for (let i = body.length - 1; i >= 0; i--) {
    let v = values.get(body[i]!)!
    if (double) {
      v *= 2
      v = Math.floor(v / 32) + (v % 32)
    }
    sum += v
    double = !double
  }
  return alphabet[(32 - (sum % 32)) % 32]!
}

export function newReference(now = new Date()): string {
  const yymm = `${String(now.getUTCFullYear() % 100).padStart(2, '0')}${String(now.getUTCMonth() + 1).padStart(2, '0')}`
  let random = ''
  for (let i = 0; i < 7; i++) random += alphabet[randomInt(32)]
  const body = yymm + random
  const full = body + checkCharacter(body)
  return `HS-${full.slice(0, 4)}-${full.slice(4, 8)}-${full.slice(8)}`
}

/** What someone typed, in Crockford's alphabet: upper case, no spaces or hyphens, O read as 0, I and L as 1. */
export const typedCrockford = (input: string) => input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')

/** The canonical reference for what someone typed, or undefined when it cannot be one. */
export function parseReference(input: string): string | undefined {
  const cleaned = typedCrockford(input).replace(/^HS/, '')
  if (!/^\d{4}[0-9A-HJKMNP-TV-Z]{8}$/.test(cleaned)) return undefined
  const body = cleaned.slice(0, 11)
  if (checkCharacter(body) !== cleaned[11]) return undefined
  return `HS-${cleaned.slice(0, 4)}-${cleaned.slice(4, 8)}-${cleaned.slice(8)}`
}
