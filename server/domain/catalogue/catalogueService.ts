import { LRUCache } from 'lru-cache'
import type { CatalogueRepository } from './repository.js'
import { createSearchEngine, type SearchEngine } from './searchEngine.js'
import { queryWords } from './searchQuery.js'
import { noSearchTerms, type SearchTerms } from './searchTerms.js'
import type { Agency, LifeEvent, Page, Service, ServiceQuery, ServiceSummary } from './types.js'

export const popularCount = 8

export interface SearchResult extends Page<ServiceSummary> {
  /** the folded words that were searched for; empty when the query had none */
  words: string[]
  /** when nothing was found: a query that finds something ("did you mean") */
  suggestion?: string | undefined
}

export interface HomeData {
  lifeEvents: LifeEvent[]
  popular: ServiceSummary[]
  agencies: Array<Agency & { serviceCount: number }>
}

export interface CatalogueServiceOptions {
  /**
   * how long a read may be served from memory; 0 reads the database every time, but for
   * the search index and the summaries its hits show, kept until the catalogue changes
   */
  cacheSeconds: number
  cacheEntries?: number
  /** how many services' summaries the search keeps to show in its hits */
  shownEntries?: number
  /** abbreviations, synonyms and everyday words (services/search-terms.json) */
  searchTerms?: SearchTerms
}

/**
 * The public catalogue. It is the same for everyone and changes rarely (a manifest
 * deployed, an agency registering a service), so each instance keeps recent reads in
 * a bounded in-memory cache for a short time. Instances share nothing through it:
 * a change reaches every instance within cacheSeconds.
 */
export function createCatalogueService(repo: CatalogueRepository, options: CatalogueServiceOptions) {
  const cache = options.cacheSeconds > 0
    ? new LRUCache<string, Promise<{ value: unknown }>>({ max: options.cacheEntries ?? 1000, ttl: options.cacheSeconds * 1000 })
    : undefined

  const listeners: Array<() => void> = []

  // Caches the promise, so concurrent misses for one key make one database read. What
  // `keep` refuses is read again next time (a search that found nothing is counted each time).
  function cached<T>(key: string, read: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
    if (!cache) return read()
    let entry = cache.get(key)
    if (!entry) {
      const reading = read().then((value) => ({ value }))
      reading.then((e) => { if (!keep(e.value as T)) cache.delete(key) }, () => cache.delete(key))
      cache.set(key, reading)
      entry = reading
    }
    return entry.then((e) => e.value as T)
  }

  // The search index, built on the first search and again after the catalogue changed.
  let engine: Promise<SearchEngine> | undefined
  // What a hit shows (title, description, agency, fee…), kept beside the index as a search
  // server keeps its stored fields: a page of hits then reads only the services not shown
  // since the catalogue last changed. Forgotten with the index, whatever cacheSeconds says.
  const shown = new LRUCache<string, ServiceSummary>({ max: options.shownEntries ?? 4000 })
  let generation = 0
  function searchEngine(): Promise<SearchEngine> {
    if (!engine) {
      const building = repo.searchDocuments().then((docs) => createSearchEngine(docs, options.searchTerms ?? noSearchTerms))
      building.catch(() => { if (engine === building) engine = undefined })
      engine = building
    }
    return engine
  }

  async function listPage(query: ServiceQuery): Promise<SearchResult> {
    const offset = (query.page - 1) * query.pageSize
    const { items, total } = await repo.listServices({ agency: query.agency, lifeEvent: query.lifeEvent }, query.pageSize, offset)
    return { items, total, page: query.page, pageSize: query.pageSize, words: [] }
  }

  async function summariesOf(ids: string[]): Promise<ServiceSummary[]> {
    const found = new Map<string, ServiceSummary>()
    const missing: string[] = []
    for (const id of ids) {
      const summary = shown.get(id)
      if (summary) found.set(id, summary)
      else missing.push(id)
    }
    if (missing.length) {
      const readIn = generation
      const read = await repo.summariesOf(missing)
      // What was read before the catalogue changed is shown this once, not kept.
      if (readIn !== generation) return repo.summariesOf(ids)
      for (const summary of read) {
        shown.set(summary.id, summary)
        found.set(summary.id, summary)
      }
    }
    return ids.flatMap((id) => found.get(id) ?? [])
  }

  async function searchPage(query: ServiceQuery): Promise<SearchResult> {
    const index = await searchEngine()
    const options = { lang: query.lang, agency: query.agency, lifeEvent: query.lifeEvent }
    const hits = index.search(query.q ?? '', options, (query.page - 1) * query.pageSize, query.pageSize)
    const items = await summariesOf(hits.ids)
    const result: SearchResult = { items, total: hits.total, page: query.page, pageSize: query.pageSize, words: hits.query.words }
    if (hits.total === 0) {
      result.suggestion = index.suggest(hits.query, options)
      // Counted for the people who keep the catalogue: the folded words, nothing of who asked.
      // A count that fails to be written is not worth failing the search for.
      repo.countMissedSearch(queryWords(query.q ?? '').join(' '), new Date().toISOString()).catch(() => {})
    }
    return result
  }

  /** Forgets what this instance cached and its search index, and tells the listeners (the page cache). */
  function forget() {
    cache?.clear()
    engine = undefined
    shown.clear()
    generation++
    for (const listener of listeners) listener()
  }

  // Transactions that moved the catalogue's change counter: once one commits, this
  // instance forgets at once; the others follow at their next reading of the counter.
  const changedIn = new WeakSet<object>()
  const writer: CatalogueRepository = {
    ...repo,
    async countChange(tx) {
      await repo.countChange(tx)
      changedIn.add(tx)
    },
    async inTransaction(fn) {
      let changed = false
      const result = await repo.inTransaction(async (tx) => {
        const value = await fn(tx)
        changed = changedIn.has(tx)
        return value
      })
      if (changed) forget()
      return result
    },
  }

  return {
    /** The catalogue's storage for the parts that change it (onboarding, registration, seeding). */
    repository: writer,

    home: (): Promise<HomeData> => cached('home', async () => {
      const [lifeEvents, popular, agencies] = await Promise.all([
        repo.listLifeEvents(),
        repo.listServices({}, popularCount, 0),
        repo.listAgencies(),
      ])
      return { lifeEvents, popular: popular.items, agencies }
    }),

    /** Finds services: by words when the query has any, else the whole (filtered) catalogue. */
    find(query: ServiceQuery): Promise<SearchResult> {
      const words = queryWords(query.q ?? '')
      // Keyed by the folded words, so "Đăng ký" and "dang ky" share one entry. The
      // language orders results only when there are words to rank.
      const key = JSON.stringify(['find', words, words.length ? query.lang : '', query.agency, query.lifeEvent, query.page, query.pageSize])
      if (words.length === 0) return cached(key, () => listPage(query))
      return cached(key, () => searchPage(query), (result) => result.total > 0)
    },

    /** The most frequent searches that found nothing, for the catalogue's keepers. */
    missedSearches: (limit = 100) => repo.missedSearches(limit),

    service: (id: string): Promise<Service | undefined> => cached(`service:${id}`, () => repo.findService(id)),
    agency: (id: string): Promise<Agency | undefined> => cached(`agency:${id}`, () => repo.findAgency(id)),
    lifeEvent: (id: string): Promise<LifeEvent | undefined> => cached(`lifeEvent:${id}`, () => repo.findLifeEvent(id)),
    lifeEvents: (): Promise<LifeEvent[]> => cached('lifeEvents', () => repo.listLifeEvents()),
    agencies: () => cached('agencies', () => repo.listAgencies()),
    /** One version of a service, as registered (immutable once approved). */
    serviceVersion: (serviceId: string, version: number) => cached(`version:${serviceId}:${version}`, async () => (await repo.serviceVersion(serviceId, version))?.content),

    /**
     * Follows changes other instances (or this one) made: every `intervalMs` it reads the
     * catalogue's change counter and, when it moved, forgets what it cached and tells
     * the listeners (the page cache). Returns a function that stops following.
     */
    followChanges(intervalMs = 2_000) {
      // Compared with the count when following began; if that reading fails, the first
      // tick clears, so that a change made before it cannot go unseen.
      let seen: number | undefined
      repo.changeCount().then((count) => { seen ??= count }, () => {})
      const timer = setInterval(() => {
        repo.changeCount().then((count) => {
          if (count !== seen) forget()
          seen = count
        }, () => { /* the database is away for a moment: try at the next tick */ })
      }, intervalMs)
      timer.unref()
      return () => clearInterval(timer)
    },
    /** Forgets what this instance cached and its search index now (another thread of it changed the catalogue). */
    forget,
    /** Builds the search index now rather than on the first search (at start). */
    prepareSearch: () => searchEngine().then(() => undefined),
    /** Called when the catalogue changed (followChanges). */
    onChange: (listener: () => void) => { listeners.push(listener) },

    /** Every service, read fresh: for the open-data downloads. */
    eachService: () => repo.eachService(),
  }
}

export type CatalogueService = ReturnType<typeof createCatalogueService>
