/**
 * What a visitor typed to prove an application is theirs: the applicant's date of birth
 * as Vietnamese people write it (dd/mm/yyyy, also with - or .), or as ISO yyyy-mm-dd;
 * or the second code given at submission (10 characters, letters and digits). Something
 * that looks like a date but is not one is a format problem, never "not found".
 */
export type StatusSecret = { kind: 'birthdate', iso: string } | { kind: 'code', code: string } | { kind: 'badDate' }

const dayFirst = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/
const isoDate = /^(\d{4})-(\d{1,2})-(\d{1,2})$/

function realDate(year: number, month: number, day: number): string | undefined {
  const d = new Date(Date.UTC(year, month - 1, day))
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || year < 1900) return undefined
  return d.toISOString().slice(0, 10)
}

export function parseStatusSecret(input: string): StatusSecret {
  const given = input.trim().replace(/\s+/g, '')
  const dmy = dayFirst.exec(given)
  const ymd = isoDate.exec(given)
  if (dmy || ymd) {
    const iso = dmy ? realDate(Number(dmy[3]), Number(dmy[2]), Number(dmy[1])) : realDate(Number(ymd![1]), Number(ymd![2]), Number(ymd![3]))
    return iso ? { kind: 'birthdate', iso } : { kind: 'badDate' }
  }
  if (/^[0-9A-Za-z]{10}$/.test(given) && /[A-Za-z]/.test(given)) return { kind: 'code', code: given.toUpperCase() }
  // Digits and separators, or anything else: a date written some other way.
  return { kind: 'badDate' }
}
