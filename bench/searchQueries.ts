// Queries as people type them, built from the catalogue the bench seeded: each with the
// service a person typing it is looking for. Six kinds: a Vietnamese title without tone
// marks; the start of a title, as far as it takes to tell it from every other title,
// its last word cut short; a title with one typing mistake in a word of five letters or
// more, that makes no other indexed word; a title with a phrase written as its usual
// abbreviation; an English title; a French title without accents. Deterministic: the
// same catalogue gives the same queries.
import { readFileSync } from 'node:fs'
import { openDatabase } from '../server/db/database.js'
import { searchTermsFile } from '../server/paths.js'
import { fold, tokens } from '../server/domain/catalogue/textFolding.js'

export interface BenchQuery { q: string, expected: string, kind: string, lang: 'vi' | 'en' | 'fr' }

const perKind = { title: 400, prefix: 200, typo: 200, abbreviation: 150, english: 150, french: 150 }

export async function searchQueries(dataDir: string): Promise<BenchQuery[]> {
  const database = openDatabase({ dataDir })
  const services = await database.db.selectFrom('services').select(['id', 'name_vi', 'name_en', 'name_fr']).where('status', '=', 'active').orderBy('id').execute()
  const indexed = new Set<string>()
  for (const d of await database.db.selectFrom('search_documents').select(['title_vi', 'title_en', 'title_fr', 'body']).execute()) {
    for (const text of [d.title_vi, d.title_en, d.title_fr, d.body]) for (const w of text.split(' ')) indexed.add(w)
  }
  await database.close()
  const terms = JSON.parse(readFileSync(searchTermsFile, 'utf8')) as { abbreviations: Array<{ short: string, means: string[] }> }

  const titles = services.map((s) => tokens(s.name_vi))
  // Spread over the catalogue: every n-th service, so real and generated ones both appear.
  const spread = <T>(items: T[], count: number) => items.filter((_, i) => i % Math.max(1, Math.floor(items.length / count)) === 0).slice(0, count)
  const queries: BenchQuery[] = []
  const seen = new Set<string>()
  const add = (q: string, expected: string, kind: string) => {
    if (!seen.has(q)) {
      seen.add(q)
      queries.push({ q, expected, kind, lang: kind === 'english' ? 'en' : kind === 'french' ? 'fr' : 'vi' })
    }
  }

  for (const s of spread(services, perKind.title)) add(fold(s.name_vi), s.id, 'title')

  let prefixes = 0
  for (const [i, s] of services.entries()) {
    if (prefixes >= perKind.prefix || i % 7 !== 3) continue
    const words = titles[i]!
    // The fewest words that no other title starts with, the last of them cut after half its letters.
    for (let n = 2; n <= words.length; n++) {
      const head = words.slice(0, n - 1)
      const last = words[n - 1]!
      const cut = last.slice(0, Math.max(2, Math.ceil(last.length / 2) + 1))
      const starts = titles.filter((t) => head.every((w, k) => t[k] === w) && (t[n - 1] ?? '').startsWith(cut))
      if (starts.length === 1) {
        add([...head, cut].join(' '), s.id, 'prefix')
        prefixes++
        break
      }
    }
  }

  let typos = 0
  for (const [i, s] of services.entries()) {
    if (typos >= perKind.typo || i % 5 !== 1) continue
    const words = titles[i]!
    const at = words.findIndex((w) => w.length >= 5)
    if (at < 0) continue
    const w = words[at]!
    // Two letters swapped, or one left out, whichever makes no indexed word.
    const mistakes = [w.slice(0, 1) + w[2] + w[1] + w.slice(3), w.slice(0, 2) + w.slice(3)]
    const mistake = mistakes.find((m) => !indexed.has(m))
    if (!mistake) continue
    add(words.map((x, k) => (k === at ? mistake : x)).join(' '), s.id, 'typo')
    typos++
  }

  let abbreviated = 0
  for (const [i, s] of services.entries()) {
    if (abbreviated >= perKind.abbreviation || i % 3 !== 0) continue
    const title = ` ${titles[i]!.join(' ')} `
    for (const a of terms.abbreviations) {
      const meaning = a.means.map((m) => ` ${tokens(m).join(' ')} `).find((m) => title.includes(m))
      if (meaning) {
        add(title.replace(meaning, ` ${fold(a.short)} `).trim(), s.id, 'abbreviation')
        abbreviated++
        break
      }
    }
  }

  for (const s of spread(services.slice(1), perKind.english)) add(s.name_en.toLowerCase(), s.id, 'english')
  for (const s of spread(services.slice(2), perKind.french)) add(fold(s.name_fr), s.id, 'french')
  return queries
}

/** How many of the queries find their service first, asked through the JSON API eight at a time. */
export async function searchAccuracy(port: number, queries: BenchQuery[]): Promise<{ first: number, byKind: string }> {
  const kinds = new Map<string, { first: number, all: number }>()
  let next = 0
  let first = 0
  const worker = async () => {
    while (next < queries.length) {
      const query = queries[next++]!
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/services?q=${encodeURIComponent(query.q)}&lang=${query.lang}&pageSize=1`)
      const body = await res.json() as { items: Array<{ id: string }> }
      const kind = kinds.get(query.kind) ?? { first: 0, all: 0 }
      kind.all++
      if (body.items[0]?.id === query.expected) {
        kind.first++
        first++
      }
      kinds.set(query.kind, kind)
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  return { first, byKind: [...kinds].map(([k, v]) => `${k} ${v.first}/${v.all}`).join(', ') }
}
