// Enterprise code (mã số doanh nghiệp) = tax identification number: 10 digits, N1N2 the
// province, N3–N9 a sequence, N10 a check digit; a branch or representative office
// adds -001 … -999. Check digit: 10 − (Σ weightᵢ·Nᵢ mod 11), weights below; a
// sequence whose result would be 10 is never issued.
const weights = [31, 29, 23, 19, 17, 13, 7, 5, 3]

export type EnterpriseCodeProblem = 'format' | 'checkDigit'

export function enterpriseCheckDigit(firstNine: string): number | undefined {
  const sum = weights.reduce((total, weight, i) => total + weight * Number(firstNine[i]), 0)
  const digit = 10 - (sum % 11)
  return digit === 10 ? undefined : digit
}

/** Spaces and dots people type are ignored; the result is the canonical form. */
export function normaliseEnterpriseCode(input: string): string {
  return input.replace(/[\s.]/g, '')
}

export function enterpriseCodeProblem(code: string): EnterpriseCodeProblem | undefined {
  const match = /^(\d{10})(?:-(\d{3}))?$/.exec(code)
  if (!match || match[2] === '000') return 'format'
  const main = match[1]!
  return enterpriseCheckDigit(main.slice(0, 9)) === Number(main[9]) ? undefined : 'checkDigit'
}
