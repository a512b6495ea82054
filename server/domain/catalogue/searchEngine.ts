// The catalogue's search, held in each instance's memory: built from the folded search
// documents the database keeps, and built again when the catalogue changes. The whole
// catalogue is a few thousand services, so every word's list of services fits in a few
// megabytes and a query is a handful of bit operations over 6,000 bits: a fraction of a
// millisecond, the same on SQLite and PostgreSQL, with no round trip to rank
// (docs/decisions/search-in-memory.md, and why a general engine was not kept).
import type { Lang } from './types.js'
import { Fit, oneEditAway, parseQuery, typoMinLength, type ParsedQuery, type Slot, type Vocabulary } from './searchQuery.js'
import type { SearchTerms, Words } from './searchTerms.js'
import { spelling } from './textFolding.js'

/** A service as the search sees it; its texts are folded words joined by spaces. */
export interface SearchDocument {
  id: string
  agencyId: string
  lifeEvents: string[]
  popularity: number
  title: Record<Lang, string>
  body: string
}

export interface SearchOptions {
  lang: Lang
  agency?: string | undefined
  lifeEvent?: string | undefined
}

export interface SearchHits {
  total: number
  /** the services of the page asked for, best first */
  ids: string[]
  query: ParsedQuery
}

const languages: Lang[] = ['vi', 'en', 'fr']
const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
/** up to this many services found, their titles are read one by one rather than narrowed by bits first */
const smallEnough = 200

/** A set of services as one bit each. */
class Bits {
  readonly words: Uint32Array
  constructor(size: number) {
    this.words = new Uint32Array((size + 31) >>> 5)
  }

  static of(size: number, members: Uint32Array | undefined): Bits {
    return new Bits(size).add(members)
  }

  add(members: Uint32Array | undefined): this {
    if (members) for (const i of members) this.words[i >>> 5]! |= 1 << (i & 31)
    return this
  }

  or(other: Bits): this {
    for (let w = 0; w < this.words.length; w++) this.words[w]! |= other.words[w]!
    return this
  }

  and(other: Bits): this {
    for (let w = 0; w < this.words.length; w++) this.words[w]! &= other.words[w]!
    return this
  }

  has(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0
  }

  /** the members, in order */
  members(): number[] {
    const out: number[] = []
    for (let w = 0; w < this.words.length; w++) {
      let word = this.words[w]!
      while (word !== 0) {
        const low = word & -word
        out.push((w << 5) + 31 - Math.clz32(low))
        word ^= low
      }
    }
    return out
  }
}

/** Who holds a word: every service, and those with it in their title in each language. */
type Field = 'all' | Lang
type Postings = Record<Field, Uint32Array>

/** Damerau–Levenshtein distance, or limit + 1 once it is certainly above limit. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let before: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1)
      current.push(d)
      best = Math.min(best, d)
    }
    if (best > limit) return limit + 1
    before = previous
    previous = current
  }
  return previous[b.length]!
}

export function createSearchEngine(documents: SearchDocument[], terms: SearchTerms) {
  const size = documents.length
  const { sorted, wordNumber, postings, titles } = buildIndex(documents)
  const docs = documents.map((d) => ({ id: d.id, popularity: d.popularity }))

  const byAgency = groups(documents, (d) => [d.agencyId])
  const byLifeEvent = groups(documents, (d) => d.lifeEvents)

  const popularity = Float64Array.from(docs, (d) => d.popularity)

  /** Where `prefix` would stand among the sorted words. */
  const firstFrom = (prefix: string) => lowerBound(sorted, prefix)

  /** The indexed words starting with `prefix`: a range of the sorted words, kept for the next query. */
  const prefixed = new Map<string, string[]>()
  function withPrefix(prefix: string): string[] {
    let out = prefixed.get(prefix)
    if (!out) {
      out = []
      for (let i = firstFrom(prefix); i < sorted.length && sorted[i]!.startsWith(prefix); i++) out.push(sorted[i]!)
      if (prefixed.size > 10_000) prefixed.clear()
      prefixed.set(prefix, out)
    }
    return out
  }

  const vocabulary: Vocabulary = {
    has: (w) => postings.has(w),
    hasPrefix: (w) => sorted[firstFrom(w)]?.startsWith(w) ?? false,
    corrections(w) {
      // No edit of a shorter word makes one long enough for a typo to be forgiven.
      if (w.length + 1 < typoMinLength) return []
      const found = new Set<string>()
      for (const candidate of oneEditAway(w, alphabet)) {
        if (Math.max(candidate.length, w.length) >= typoMinLength && postings.has(candidate)) found.add(candidate)
      }
      return [...found].sort((a, b) => postings.get(b)!.all.length - postings.get(a)!.all.length).slice(0, 4)
    },
  }

  function wordBits(word: string, field: Field, prefix: boolean): Bits {
    if (!prefix) return Bits.of(size, postings.get(word)?.[field])
    const bits = new Bits(size)
    for (const w of withPrefix(word)) bits.add(postings.get(w)![field])
    return bits
  }

  /** The services that satisfy a slot: any of its phrases, each with all its words. */
  function slotBits(slot: Slot, field: Field): Bits {
    const bits = new Bits(size)
    for (const phrase of slot.alternatives) {
      const all = wordBits(phrase[0]!, field, slot.prefix && phrase.length === 1)
      phrase.slice(1).forEach((w, j) => all.and(wordBits(w, field, slot.prefix && j === phrase.length - 2)))
      bits.or(all)
    }
    return bits
  }

  /** Whether a sorted list holds i. */
  const holds = (list: Uint32Array, i: number) => list[lowerBound(list, i)] === i

  /**
   * A slot as posting lists, read once per query: for each phrase, for each of its words,
   * the lists of every indexed word it stands for (itself, or each word it starts).
   */
  interface SlotLists { slot: Slot, phrases: Uint32Array[][][], reach: number, postings: number }
  function listsOf(slot: Slot): SlotLists {
    let reach = 0
    let count = 0
    const phrases = slot.alternatives.map((phrase) => {
      let rarest = size
      const lists = phrase.map((word, j) => {
        const stands = slot.prefix && j === phrase.length - 1 ? withPrefix(word) : [word]
        const out: Uint32Array[] = []
        let held = 0
        for (const w of stands) {
          const list = postings.get(w)?.all
          if (list) {
            out.push(list)
            held += list.length
          }
        }
        rarest = Math.min(rarest, held)
        count += held
        return out
      })
      reach += rarest
      return lists
    })
    return { slot, phrases, reach, postings: count }
  }

  /** Whether service i satisfies a slot, by binary search in its lists. */
  function slotHas({ phrases }: SlotLists, i: number): boolean {
    for (const phrase of phrases) {
      let all = true
      for (let j = 0; j < phrase.length && all; j++) {
        all = false
        for (const list of phrase[j]!) {
          if (holds(list, i)) {
            all = true
            break
          }
        }
      }
      if (all) return true
    }
    return false
  }

  /** Keeps the members that pass, in place. */
  function keepIf(members: number[], pass: (i: number) => boolean): number[] {
    let n = 0
    for (const i of members) if (pass(i)) members[n++] = i
    members.length = n
    return members
  }

  /**
   * The services that satisfy every slot, in order. The rarest slot gives the candidates
   * and each of the others is looked up for them, or made a set of bits when that is
   * cheaper (a short word that starts hundreds of others); when even the rarest is
   * common, sets of bits throughout.
   */
  function matching(slots: Slot[], options: SearchOptions): number[] {
    const order = slots.map(listsOf).sort((a, b) => a.reach - b.reach)
    let members: number[]
    if (order[0]!.reach <= size / 8) {
      members = slotBits(order[0]!.slot, 'all').members()
      for (const lists of order.slice(1)) {
        if (members.length === 0) break
        const lookups = members.length * lists.phrases.reduce((n, p) => n + p.reduce((m, w) => m + w.length, 0), 0)
        if (lookups * 8 > lists.postings) {
          const bits = slotBits(lists.slot, 'all')
          keepIf(members, (i) => bits.has(i))
        } else keepIf(members, (i) => slotHas(lists, i))
      }
    } else {
      const found = slotBits(order[0]!.slot, 'all')
      for (const { slot } of order.slice(1)) found.and(slotBits(slot, 'all'))
      members = found.members()
    }
    const agency = options.agency ? byAgency.get(options.agency) ?? new Bits(size) : undefined
    const lifeEvent = options.lifeEvent ? byLifeEvent.get(options.lifeEvent) ?? new Bits(size) : undefined
    return agency || lifeEvent ? keepIf(members, (i) => (!agency || agency.has(i)) && (!lifeEvent || lifeEvent.has(i))) : members
  }

  /** The `count` best of `members` by the key, best first (the whole list sorted only when much of it is wanted). */
  function best(members: number[], count: number, key: (i: number) => number): number[] {
    const cmp = (a: number, b: number) => key(a) - key(b) || a - b
    if (count * 4 >= members.length) return members.sort(cmp).slice(0, count)
    const top: number[] = []
    for (const m of members) {
      if (top.length === count && cmp(m, top[count - 1]!) >= 0) continue
      let at = top.length
      while (at > 0 && cmp(m, top[at - 1]!) < 0) at--
      top.splice(at, 0, m)
      if (top.length > count) top.pop()
    }
    return top
  }

  /** A slot in word numbers: each phrase's words, the last one a range when it may be a word's start. */
  function numberedSlot(slot: Slot): Array<{ words: number[], last: [number, number] }> {
    return slot.alternatives.map((phrase) => {
      const n = phrase.map((w) => wordNumber.get(w) ?? -1)
      const last = phrase.at(-1)!
      if (slot.prefix && phrase.length === 1) {
        const from = firstFrom(last)
        return { words: n, last: [from, from + withPrefix(last).length] as [number, number] }
      }
      return { words: n, last: [n.at(-1)!, n.at(-1)! + 1] as [number, number] }
    })
  }

  type Numbered = ReturnType<typeof numberedSlot>

  // A title is words[start, end) of its language's word numbers.
  function phraseAt(words: Uint32Array, at: number, end: number, phrase: Numbered[number]): boolean {
    const last = phrase.words.length - 1
    if (at + last >= end) return false
    for (let j = 0; j < last; j++) if (words[at + j] !== phrase.words[j]) return false
    const w = words[at + last]!
    return w >= phrase.last[0] && w < phrase.last[1]
  }

  /** Whether the slots from `from` on match one after the other from `at`, to the title's end when `whole`. */
  function slotsFrom(words: Uint32Array, at: number, end: number, slots: Numbered[], from: number, whole: boolean): boolean {
    if (from === slots.length) return !whole || at === end
    for (const phrase of slots[from]!) {
      if (phraseAt(words, at, end, phrase) && slotsFrom(words, at + phrase.words.length, end, slots, from + 1, whole)) return true
    }
    return false
  }

  function fitOf(l: Lang, i: number, slots: Numbered[]): Fit {
    const { words, start } = titles[l]
    const begin = start[i]!
    const end = start[i + 1]!
    if (slotsFrom(words, begin, end, slots, 0, true)) return Fit.Equal
    if (slotsFrom(words, begin, end, slots, 0, false)) return Fit.StartsWith
    for (let at = begin + 1; at < end; at++) if (slotsFrom(words, at, end, slots, 0, false)) return Fit.Phrase
    // A phrase's words may be in the title apart; then the slot is not held.
    for (const slot of slots) {
      let held = false
      for (let at = begin; at < end && !held; at++) for (const phrase of slot) if (phraseAt(words, at, end, phrase)) held = true
      if (!held) return Fit.Elsewhere
    }
    return Fit.HoldsAll
  }

  const fit = new Uint8Array(size)
  const length = new Uint8Array(size)

  const titleLength = (l: Lang, i: number) => titles[l].start[i + 1]! - titles[l].start[i]!

  function search(query: ParsedQuery, options: SearchOptions, offset: number, limit: number): { total: number, ids: string[] } {
    if (query.unknown.length || query.slots.length === 0) return { total: 0, ids: [] }
    const { slots } = query
    const members = matching(slots, options)
    // Only a title with every part of the query can rank a service by its title; which rank, that title tells.
    const numbered = slots.map(numberedSlot)
    // Each service's best title: how it answers the query, and its length in words (the
    // engine's arrays, set afresh for the services found: a search runs to its end at once).
    for (const i of members) {
      fit[i] = Fit.Elsewhere
      length[i] = 0
    }
    const fitIn = (i: number, l: Lang) => {
      if (fit[i] === Fit.Equal) return
      const f = fitOf(l, i, numbered)
      if (f < fit[i]! || (f === fit[i] && titleLength(l, i) < length[i]!)) {
        fit[i] = f
        length[i] = Math.min(255, titleLength(l, i))
      }
    }
    for (const l of languages) {
      // Few found: each title is read. Many: only the titles that hold every part.
      if (members.length <= smallEnough) for (const i of members) fitIn(i, l)
      else {
        const inTitle = new Bits(size).add(Uint32Array.from(members))
        for (const slot of slots) inTitle.and(slotBits(slot, l))
        for (const i of inTitle.members()) fitIn(i, l)
      }
    }
    const ranks: number[][] = [[], [], [], [], []]
    for (const i of members) {
      if (fit[i] === Fit.Elsewhere) length[i] = Math.min(255, titleLength(options.lang, i))
      ranks[fit[i]!]!.push(i)
    }
    // A title that is or starts with the query: the shorter first, then the more used.
    // Otherwise both weigh: the more used, and the fewer other words beside the query's.
    const shorter = (i: number) => length[i]! * 1000 - popularity[i]!
    const weighed = (i: number) => -(1 + popularity[i]! / 100) / (length[i]! + 2)
    const keys = [shorter, shorter, weighed, weighed, weighed]
    const ids: string[] = []
    let skip = offset
    ranks.forEach((members, r) => {
      const wanted = limit - ids.length
      if (wanted <= 0) return
      if (skip >= members.length) {
        skip -= members.length
        return
      }
      for (const i of best(members, skip + wanted, keys[r]!).slice(skip)) ids.push(docs[i]!.id)
      skip = 0
    })
    let total = 0
    for (const r of ranks) total += r.length
    return { total, ids }
  }

  /** The indexed word nearest to `word`: one typing mistake first, then two; the more common first. */
  function nearest(word: string): string | undefined {
    const oneAway = [...new Set(oneEditAway(word, alphabet).filter((c) => postings.has(c)))]
    if (oneAway.length) return oneAway.sort((a, b) => postings.get(b)!.all.length - postings.get(a)!.all.length)[0]
    if (word.length < 4) return undefined
    let best: { w: string, d: number, n: number } | undefined
    for (const w of sorted) {
      const d = distance(word, w, 2)
      const n = postings.get(w)!.all.length
      if (d <= 2 && (!best || d < best.d || (d === best.d && n > best.n))) best = { w, d, n }
    }
    return best?.w
  }

  return {
    search(q: string, options: SearchOptions, offset = 0, limit = 20): SearchHits {
      const query = parseQuery(q, terms, vocabulary)
      return { ...search(query, options, offset, limit), query }
    },

    /**
     * For a query that found nothing: the nearest one that finds something, each word
     * not indexed replaced by the nearest indexed word, or else one word left out.
     * Undefined when there is none.
     */
    suggest(query: ParsedQuery, options: SearchOptions): string | undefined {
      const slots = query.slots.flatMap((slot): Slot[] => {
        const word = slot.typed[0]!
        if (slot.typed.length > 1 || !query.unknown.includes(word)) return [slot]
        const near = nearest(word)
        return near ? [{ typed: [near], alternatives: [[near]], prefix: false }] : []
      })
      const tries = [slots, ...slots.map((_, i) => slots.filter((__, j) => j !== i))].filter((t) => t.length > 0)
      for (const candidate of tries) {
        if (search({ slots: candidate, unknown: [], words: [] }, options, 0, 1).total > 0) return candidate.flatMap((s) => s.typed).join(' ')
      }
      return undefined
    },
  }
}

/**
 * Each word's services, in document order, and the titles as word numbers (a word's
 * place among the sorted words, so the words a prefix starts are a range of numbers):
 * each language's titles one after the other, `start[i]` where service i's begins. Built
 * apart from the engine so that nothing of the texts stays in memory.
 */
function buildIndex(documents: SearchDocument[]) {
  const collect = new Map<string, Record<Field, number[]>>()
  const titleWords = documents.map((doc, i) => {
    const titles = { vi: words(doc.title.vi), en: words(doc.title.en), fr: words(doc.title.fr) }
    const inTitle = languages.map((l) => new Set(titles[l]))
    for (const w of new Set([...titles.vi, ...titles.en, ...titles.fr, ...words(doc.body)])) {
      let p = collect.get(w)
      if (!p) collect.set(w, p = { all: [], vi: [], en: [], fr: [] })
      p.all.push(i)
      languages.forEach((l, k) => { if (inTitle[k]!.has(w)) p[l].push(i) })
    }
    return titles
  })
  const sorted = [...collect.keys()].sort()
  const wordNumber = new Map(sorted.map((w, n) => [w, n]))
  const postings = new Map<string, Postings>()
  for (const [w, p] of collect) {
    postings.set(w, { all: Uint32Array.from(p.all), vi: Uint32Array.from(p.vi), en: Uint32Array.from(p.en), fr: Uint32Array.from(p.fr) })
  }
  const titles = Object.fromEntries(languages.map((l) => {
    const start = new Uint32Array(documents.length + 1)
    titleWords.forEach((t, i) => { start[i + 1] = start[i]! + t[l].length })
    return [l, { words: Uint32Array.from(titleWords.flatMap((t) => t[l]), (w) => wordNumber.get(w)!), start }]
  })) as Record<Lang, { words: Uint32Array, start: Uint32Array }>
  return { sorted, wordNumber, postings, titles }
}

function groups(documents: SearchDocument[], key: (d: SearchDocument) => string[]): Map<string, Bits> {
  const lists = new Map<string, number[]>()
  documents.forEach((doc, i) => { for (const k of key(doc)) lists.set(k, [...(lists.get(k) ?? []), i]) })
  return new Map([...lists].map(([k, list]) => [k, Bits.of(documents.length, Uint32Array.from(list))]))
}

/** The first place in a sorted list whose value is not below `value`. */
function lowerBound<T extends string | number>(list: ArrayLike<T>, value: T): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (list[mid]! < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

function words(text: string): Words {
  return text ? text.split(' ').map(spelling) : []
}

export type SearchEngine = ReturnType<typeof createSearchEngine>
