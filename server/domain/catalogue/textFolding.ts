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

// i and y are the same vowel when it stands alone after an initial consonant (kí/ký,
// lí/lý, mĩ/mỹ, sĩ/sỹ, tỉ/tỷ, qui/quy) or by itself (y tế), and Vietnamese writers use
// either; after another vowel they differ (tay/tai, may/mai), and so stay apart.
const iOrY = /^(b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)?y$/

/** A folded word in the one spelling both the index and the query use. */
export function spelling(token: string): string {
  return iOrY.test(token) ? `${token.slice(0, -1)}i` : token
}

/** Folded words in that spelling: what the search engine indexes and looks up. */
export function searchWords(text: string): string[] {
  return tokens(text).map(spelling)
}

export function foldForIndex(...texts: Array<string | null | undefined>): string {
  return texts.flatMap((t) => (t ? tokens(t) : [])).join(' ')
}
