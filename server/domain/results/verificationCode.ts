import { randomInt } from 'node:crypto'
import { checkCharacter, crockford, typedCrockford } from '../applications/reference.js'

// A result's verification code, printed on the document: nine random Crockford
// characters (45 bits) and a check character, shown as XXXXX-XXXXX. Read back as
// people type it: any case, spaces or hyphens, O for 0, I or L for 1.

export function newVerificationCode(): string {
  let body = ''
  for (let i = 0; i < 9; i++) body += crockford[randomInt(32)]
  const full = body + checkCharacter(body)
  return `${full.slice(0, 5)}-${full.slice(5)}`
}

export function parseVerificationCode(input: string): string | undefined {
  const cleaned = typedCrockford(input)
  if (!/^[0-9A-HJKMNP-TV-Z]{10}$/.test(cleaned) || checkCharacter(cleaned.slice(0, 9)) !== cleaned[9]) return undefined
  return `${cleaned.slice(0, 5)}-${cleaned.slice(5)}`
}

/** A holder's name as /verify shows it: each word's initial, the last word's first letter, the rest hidden. */
export function maskedName(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean)
  return words.map((w, i) => (i < words.length - 1 ? `${[...w][0]}.` : `${[...w][0]}${'*'.repeat(Math.max(2, [...w].length - 1))}`)).join(' ')
}
