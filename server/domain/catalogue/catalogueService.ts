import { LRUCache } from 'lru-cache'
import type { CatalogueRepository } from './repository.js'
import { queryTokens } from './textFolding.js'
import type { Agency, LifeEvent, Page, Service, ServiceQuery, ServiceSummary } from './types.js'

export const popularCount = 8

export interface SearchResult extends Page<ServiceSummary> {
  /** the folded words that were searched for; empty when the query had none */
  words: string[]
}

export interface HomeData {
  lifeEvents: LifeEvent[]
  popular: ServiceSummary[]
  agencies: Array<Agency & { serviceCount: number }>
}

export interface CatalogueServiceOptions {
  /** how long a read may be served from memory; 0 reads the database every time */
  cacheSeconds: number
  cacheEntries?: number
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

  // Caches the promise, so concurrent misses for one key make one database read.
  function cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (!cache) return read()
    let entry = cache.get(key)
    if (!entry) {
      entry = read().then((value) => ({ value }))
      entry.catch(() => cache.delete(key))
      cache.set(key, entry)
    }
    return entry.then((e) => e.value as T)
  }

  async function page(query: ServiceQuery, words: string[]): Promise<SearchResult> {
    const offset = (query.page - 1) * query.pageSize
    const filter = { agency: query.agency, lifeEvent: query.lifeEvent }
    const { items, total } = words.length
      ? await repo.search({ ...filter, tokens: words, lang: query.lang }, query.pageSize, offset)
      : await repo.listServices(filter, query.pageSize, offset)
    return { items, total, page: query.page, pageSize: query.pageSize, words }
  }

  return {
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
      const words = queryTokens(query.q ?? '')
      // Keyed by the folded words, so "Đăng ký" and "dang ky" share one entry. The
      // language orders results only when there are words to rank.
      const key = JSON.stringify(['find', words, words.length ? query.lang : '', query.agency, query.lifeEvent, query.page, query.pageSize])
      return cached(key, () => page(query, words))
    },

    service: (id: string): Promise<Service | undefined> => cached(`service:${id}`, () => repo.findService(id)),
    agency: (id: string): Promise<Agency | undefined> => cached(`agency:${id}`, () => repo.findAgency(id)),
    lifeEvent: (id: string): Promise<LifeEvent | undefined> => cached(`lifeEvent:${id}`, () => repo.findLifeEvent(id)),
    lifeEvents: (): Promise<LifeEvent[]> => cached('lifeEvents', () => repo.listLifeEvents()),
    /** One version of a service, as registered (immutable once approved). */
    serviceVersion: (serviceId: string, version: number) => cached(`version:${serviceId}:${version}`, async () => (await repo.serviceVersion(serviceId, version))?.content),

    /**
     * Follows changes other instances (or this one) made: every `intervalMs` it reads the
     * catalogue's change counter and, when it moved, forgets what it cached and tells
     * the listeners (the page cache). Returns a function that stops following.
     */
    followChanges(intervalMs = 2_000) {
      // The first reading clears too: a change made before it would otherwise go unseen.
      let seen = -1
      const timer = setInterval(() => {
        repo.changeCount().then((count) => {
          if (count !== seen) {
            cache?.clear()
            for (const listener of listeners) listener()
          }
          seen = count
        }, () => { /* the database is away for a moment: try at the next tick */ })
      }, intervalMs)
      timer.unref()
      return () => clearInterval(timer)
    },
    /** Called when the catalogue changed (followChanges). */
    onChange: (listener: () => void) => { listeners.push(listener) },

    /** Every service, read fresh: for the open-data downloads. */
    eachService: () => repo.eachService(),
  }
}

export type CatalogueService = ReturnType<typeof createCatalogueService>
