// The search page's results (views/partials/searchResults.ejs): found and rendered
// apart from the page around them, so that a thread of their own can do it
// (server/search/searchThread.ts). What they show depends on the query, the language and the
// address alone, never on who asks: the same part serves every visitor.
import path from 'node:path'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import type { Lang } from '../domain/catalogue/types.js'
import { viewsDir } from '../paths.js'
import { withQueryParam } from './setUpI18n.js'
import { languageHelpers } from './setUpViewHelpers.js'
import { createViewEngine } from './viewEngine.js'

export interface SearchResultsQuery {
  q: string
  lang: Lang
  agency?: string | undefined
  lifeEvent?: string | undefined
  page: number
  pageSize: number
  /** the page's address, for the links to the other pages of results */
  url: string
}

/** The results' HTML for a query. */
export type RenderSearchResults = (query: SearchResultsQuery) => Promise<string>

const file = path.join(viewsDir, 'partials', 'searchResults.ejs')

/** Finds and renders on the calling thread. */
export function searchResultsRenderer(catalogue: CatalogueService, options: { cache: boolean }): RenderSearchResults {
  const views = createViewEngine({ root: viewsDir, cache: options.cache })
  const helpers = languageHelpers()
  return async (query) => {
    const { q, lang, agency, lifeEvent, page, pageSize, url } = query
    const result = await catalogue.find({ q, lang, agency, lifeEvent, page, pageSize })
    return views.render(file, {
      ...helpers[lang], q, result, lang, pageUrl: (n: number) => withQueryParam(url, 'page', String(n)),
    })
  }
}
