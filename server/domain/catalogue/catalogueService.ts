import type { CatalogueRepository } from '../../db/catalogueRepository.js'
import { queryTokens } from './textFolding.js'
import type { Agency, LifeEvent, Page, Service, ServiceQuery, ServiceSummary } from './types.js'

export const popularCount = 8

export interface SearchResult extends Page<ServiceSummary> {
  /** the folded words that were searched for; empty when the query had none */
  words: string[]
}

export function createCatalogueService(repo: CatalogueRepository) {
  async function page(query: ServiceQuery, words: string[]): Promise<SearchResult> {
    const offset = (query.page - 1) * query.pageSize
    const filter = { agency: query.agency, lifeEvent: query.lifeEvent }
    const { items, total } = words.length
      ? await repo.search({ ...filter, tokens: words, lang: query.lang }, query.pageSize, offset)
      : await repo.listServices(filter, query.pageSize, offset)
    return { items, total, page: query.page, pageSize: query.pageSize, words }
  }

  return {
    async home(): Promise<{ lifeEvents: LifeEvent[], popular: ServiceSummary[], agencies: Array<Agency & { serviceCount: number }> }> {
      const [lifeEvents, popular, agencies] = await Promise.all([
        repo.listLifeEvents(),
        repo.listServices({}, popularCount, 0),
        repo.listAgencies(),
      ])
      return { lifeEvents, popular: popular.items, agencies }
    },

    /** Finds services: by words when the query has any, else the whole (filtered) catalogue. */
    find(query: ServiceQuery): Promise<SearchResult> {
      return page(query, queryTokens(query.q ?? ''))
    },

    service: (id: string): Promise<Service | undefined> => repo.findService(id),
    agency: (id: string): Promise<Agency | undefined> => repo.findAgency(id),
    agencies: () => repo.listAgencies(),
    lifeEvent: (id: string): Promise<LifeEvent | undefined> => repo.findLifeEvent(id),
    lifeEvents: (): Promise<LifeEvent[]> => repo.listLifeEvents(),
    eachService: () => repo.eachService(),
  }
}

export type CatalogueService = ReturnType<typeof createCatalogueService>
