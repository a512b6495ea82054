import { randomInt } from 'node:crypto'

// References look like HS-2611-7K3F-9QX2: "HS" (hồ sơ), year and month, seven random
// Crockford base-32 characters (35 bits) and a check character (Luhn mod 32 over all
// the characters after "HS"), which catches every single mistyped character and most
// swapped neighbours. Crockford's alphabet has no I, L, O or U, so what people type
// for them (1, 1, 0) is read back correctly.
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const values = new Map([...alphabet].map((c, i) => [c, i]))

function checkCharacter(body: string): string {
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

/** The canonical reference for what someone typed, or undefined when it cannot be one. */
export function parseReference(input: string): string | undefined {
  const cleaned = input.toUpperCase().replace(/[\s-]/g, '').replace(/^HS/, '')
    .replace(/O/g, '0').replace(/[IL]/g, '1')
  if (!/^\d{4}[0-9A-HJKMNP-TV-Z]{8}$/.test(cleaned)) return undefined
  const body = cleaned.slice(0, 11)
  if (checkCharacter(body) !== cleaned[11]) return undefined
  return `HS-${cleaned.slice(0, 4)}-${cleaned.slice(4, 8)}-${cleaned.slice(8)}`
}
