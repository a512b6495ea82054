// A query as typed, read into what must be found: one slot per thing asked for, each
// with the phrases that would do (an abbreviation's meanings, a synonym, the word that
// a typo most likely was). Everyday words that name no service are left out.
import { spelling, tokens } from './textFolding.js'
import type { SearchTerms, Words } from './searchTerms.js'

/** What the query reader needs to know of the indexed words. */
export interface Vocabulary {
  has(word: string): boolean
  /** some indexed word starts with this one */
  hasPrefix(word: string): boolean
  /** indexed words one typing mistake away (a letter left out, added, changed or two swapped) */
  corrections(word: string): string[]
}

export interface Slot {
  /** the words the person typed for it */
  typed: Words
  /** any one of these phrases satisfies the slot */
  alternatives: Words[]
  /** the last word typed: it may be only the start of a word */
  prefix: boolean
}

export interface ParsedQuery {
  slots: Slot[]
  /** typed words nothing in the index resembles: with any, nothing is found */
  unknown: string[]
  /** the words searched for, folded, fillers left out */
  words: string[]
}

const maxWords = 32
const maxSlots = 24
const maxWordLength = 40
/** a typo is forgiven in words of this many letters or more */
export const typoMinLength = 5

/** The folded words of a query, bounded in number and length. */
export function queryWords(q: string): string[] {
  return tokens(q).slice(0, maxWords).map((t) => spelling(t.slice(0, maxWordLength)))
}

export function parseQuery(q: string, terms: SearchTerms, vocabulary: Vocabulary): ParsedQuery {
  const words = queryWords(q)
  const slots: Slot[] = []
  const fillers: Words[] = []
  for (let i = 0; i < words.length && slots.length < maxSlots;) {
    let taken = 0
    // The phrases from here that the terms might hold, the longest first.
    const keys = [words[i]!]
    while (keys.length < Math.min(terms.longest, words.length - i) && terms.heads.has(keys.at(-1)!)) keys.push(`${keys.at(-1)!} ${words[i + keys.length]!}`)
    for (let n = keys.length; n > 0 && !taken; n--) {
      const k = keys[n - 1]!
      if (terms.fillers.has(k)) {
        fillers.push(words.slice(i, i + n))
        taken = n
      } else {
        const alternatives = terms.alternatives.get(k)
        if (alternatives) {
          slots.push({ typed: words.slice(i, i + n), alternatives, prefix: false })
          taken = n
        }
      }
    }
    if (!taken) {
      slots.push({ typed: [words[i]!], alternatives: [[words[i]!]], prefix: false })
      taken = 1
    }
    i += taken
  }
  // A query of nothing but everyday words ("thủ tục") still means them.
  if (slots.length === 0) for (const f of fillers.slice(0, maxSlots)) slots.push({ typed: f, alternatives: [f], prefix: false })

  const unknown: string[] = []
  slots.forEach((slot, i) => {
    if (slot.typed.length > 1 || slot.alternatives.length > 1) return
    const word = slot.typed[0]!
    // One letter says too little to stand for every word that starts with it.
    if (i === slots.length - 1 && word.length >= 2 && vocabulary.hasPrefix(word)) slot.prefix = true
    else if (vocabulary.has(word)) return
    else {
      const corrections = vocabulary.corrections(word)
      if (corrections.length) {
        // What the word was meant to be, with what that word stands for ("passprot": passport, hộ chiếu).
        slot.alternatives = corrections.flatMap((c) => terms.alternatives.get(c) ?? [[c]])
      } else unknown.push(word)
    }
  })
  return { slots, unknown, words: slots.flatMap((s) => s.typed) }
}

/** Edits of one letter: every word a single typing mistake could have made of `word`. */
export function oneEditAway(word: string, alphabet: string): string[] {
  const out: string[] = []
  for (let i = 0; i <= word.length; i++) {
    const head = word.slice(0, i)
    const tail = word.slice(i)
    if (tail) out.push(head + tail.slice(1))
    if (tail.length > 1) out.push(head + tail[1] + tail[0] + tail.slice(2))
    for (const c of alphabet) {
      if (tail) out.push(head + c + tail.slice(1))
      out.push(head + c + tail)
    }
  }
  return out
}

// How a title answers the query, best first: it is the query; it starts with it; it
// holds the query's words together and in order; it holds each part somewhere; or the
// match is elsewhere (words apart, the description, the documents).
export const enum Fit { Equal = 0, StartsWith = 1, Phrase = 2, HoldsAll = 3, Elsewhere = 4 }
