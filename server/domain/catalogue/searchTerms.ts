// How people type what they look for (services/search-terms.json): abbreviations,
// words that mean the same, and everyday words that are not in any title. Kept as data
// beside the catalogue and reviewed like it; folded here into what the search looks up.
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { searchWords } from './textFolding.js'

const phrase = z.string().trim().min(1).max(80)

export const searchTermsSchema = z.object({
  about: z.string().optional(),
  abbreviations: z.array(z.object({
    short: phrase,
    means: z.array(phrase).min(1),
    note: z.string().min(1),
  }).strict()),
  synonyms: z.array(z.array(phrase).min(2)),
  fillers: z.array(phrase),
}).strict()

export type SearchTermsFile = z.infer<typeof searchTermsSchema>

/** A phrase as the search reads it: its folded words. */
export type Words = string[]

export interface SearchTerms {
  /** a phrase (its words joined by spaces) → every phrase it may stand for, itself first */
  alternatives: ReadonlyMap<string, Words[]>
  /** phrases that say nothing about which service is meant ("thủ tục", "ở đâu") */
  fillers: ReadonlySet<string>
  /** the most words in any phrase above */
  longest: number
  /** the first words of every phrase of several words ("dang", "dang ky"): a query's phrase is read further only while it is one of these */
  heads: ReadonlySet<string>
}

const key = (words: Words) => words.join(' ')

/** Folds the file into lookups; an abbreviation stands for its meanings, a synonym for its whole group. */
export function compileSearchTerms(file: SearchTermsFile): SearchTerms {
  const alternatives = new Map<string, Words[]>()
  const add = (from: Words, to: Words[]) => {
    const known = alternatives.get(key(from)) ?? [from]
    for (const words of to) if (!known.some((k) => key(k) === key(words))) known.push(words)
    alternatives.set(key(from), known)
  }
  for (const a of file.abbreviations) add(searchWords(a.short), a.means.map(searchWords))
  for (const group of file.synonyms) {
    const members = group.map(searchWords)
    for (const member of members) add(member, members)
  }
  const fillers = new Set(file.fillers.map((f) => key(searchWords(f))))
  const phrases = [...alternatives.keys(), ...fillers].map((k) => k.split(' '))
  const longest = Math.max(1, ...phrases.map((words) => words.length))
  const heads = new Set(phrases.flatMap((words) => words.slice(1).map((_, n) => key(words.slice(0, n + 1)))))
  return { alternatives, fillers, longest, heads }
}

export const noSearchTerms: SearchTerms = { alternatives: new Map(), fillers: new Set(), longest: 1, heads: new Set() }

/** Reads and checks the file; a mistake in it stops the start, naming the field. */
export function loadSearchTerms(file: string): SearchTerms {
  const parsed = searchTermsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new Error(`${file}: ${issue.path.join('.')}: ${issue.message}`)
  }
  return compileSearchTerms(parsed.data)
}
