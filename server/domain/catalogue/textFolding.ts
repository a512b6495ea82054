// Search folds text the way Vietnamese users type it: no case, no tone marks, and đ
// as d. Unicode decomposition removes the marks but đ/Đ are letters of their own,
// so they are mapped by hand; French ligatures likewise.
const letters: Record<string, string> = { đ: 'd', Đ: 'd', œ: 'oe', Œ: 'oe', æ: 'ae', Æ: 'ae', ß: 'ss' }
const letterPattern = /[đĐœŒæÆß]/g
const marks = /\p{M}+/gu
const separators = /[^\p{L}\p{N}]+/u

export function fold(text: string): string {
  return text.replace(letterPattern, (c) => letters[c] ?? c).normalize('NFD').replace(marks, '').toLowerCase()
}

/** Folded words, in order; what is indexed and what is searched for. */
export function tokens(text: string): string[] {
  return fold(text).split(separators).filter((t) => t.length > 0)
}

export const maxQueryTokens = 8
const maxTokenLength = 40

/** The words of a query, folded, de-duplicated and bounded in number and length. */
export function queryTokens(q: string): string[] {
  const seen = new Set<string>()
  for (const t of tokens(q)) {
    if (seen.size >= maxQueryTokens) break
    seen.add(t.slice(0, maxTokenLength))
  }
  return [...seen]
}

export function foldForIndex(...texts: Array<string | null | undefined>): string {
  return texts.flatMap((t) => (t ? tokens(t) : [])).join(' ')
}
