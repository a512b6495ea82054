// The search page's results (views/partials/searchResults.ejs): found and rendered
// apart from the page around them, so that a thread of their own can do it
// (server/search/searchThread.ts). What they show depends on the query, the language and the
// address alone, never on who asks: the same part serves every visitor.
import path from 'node:path'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { languages, type Lang } from '../domain/catalogue/types.js'
import { publicDir, viewsDir } from '../paths.js'
import { encodePage, type EncodedPage } from './pageCache.js'
import { urlInLanguage, withQueryParam } from './setUpI18n.js'
import { assetUrls } from './setUpStaticAssets.js'
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

export interface SearchPages {
  /** the results part, for a page rendered around it */
  results: RenderSearchResults
  /** the whole page as every visitor without a session gets it (`query.url` its address), encoded */
  page?: ((query: SearchResultsQuery) => Promise<EncodedPage>) | undefined
}

const resultsFile = path.join(viewsDir, 'partials', 'searchResults.ejs')
const pageFile = path.join(viewsDir, 'pages', 'catalogue', 'search.ejs')

/** Finds and renders on the calling thread. */
export function searchRenderer(catalogue: CatalogueService, options: { cache: boolean }): Required<SearchPages> {
  const views = createViewEngine({ root: viewsDir, cache: options.cache })
  const helpers = languageHelpers()
  const asset = assetUrls(publicDir)
  const results: RenderSearchResults = async (query) => {
    const { q, lang, agency, lifeEvent, page, pageSize, url } = query
    const result = await catalogue.find({ q, lang, agency, lifeEvent, page, pageSize })
    return views.render(resultsFile, {
      ...helpers[lang], q, result, lang, pageUrl: (n: number) => withQueryParam(url, 'page', String(n)),
    })
  }
  return {
    results,
    // The locals the web thread's middleware gives a page when no one is signed in and
    // there is no session: the language's helpers, the address in each language.
    async page(query) {
      const { lang, url, q } = query
      const at = url.indexOf('?')
      return encodePage(views.render(pageFile, {
        ...helpers[lang], lang, languages, asset, path: at === -1 ? url : url.slice(0, at),
        urlInLanguage: (l: Lang) => urlInLanguage(url, l), q, resultsHtml: await results(query),
      }))
    },
  }
}
