// The search page as every visitor without a session gets it: found and rendered apart
// from Express, so that a thread of its own can do it (server/search/searchThread.ts).
// Such a page depends on the query, the language and the address alone (the page cache
// keeps it by these), so the locals the middleware would give it are made here.
import path from 'node:path'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { languages, type Lang } from '../domain/catalogue/types.js'
import { publicDir, viewsDir } from '../paths.js'
import { encodePage, type EncodedPage } from './pageCache.js'
import { urlInLanguage, withQueryParam } from './setUpI18n.js'
import { assetUrls } from './setUpStaticAssets.js'
import { languageHelpers } from './setUpViewHelpers.js'
import { createViewEngine } from './viewEngine.js'

export interface SearchQuery {
  q: string
  lang: Lang
  agency?: string | undefined
  lifeEvent?: string | undefined
  page: number
  pageSize: number
  /** the page's address: its path, the links to the other pages of results and languages */
  url: string
}

/** The whole page for a query, encoded. */
export type SearchPage = (query: SearchQuery) => Promise<EncodedPage>

const file = path.join(viewsDir, 'pages', 'catalogue', 'search.ejs')

/** Finds and renders on the calling thread. */
export function searchPageRenderer(catalogue: CatalogueService, options: { cache: boolean }): SearchPage {
  const views = createViewEngine({ root: viewsDir, cache: options.cache })
  const helpers = languageHelpers()
  const asset = assetUrls(publicDir)
  return async ({ q, lang, agency, lifeEvent, page, pageSize, url }) => {
    const result = await catalogue.find({ q, lang, agency, lifeEvent, page, pageSize })
    const at = url.indexOf('?')
    return encodePage(views.render(file, {
      ...helpers[lang], lang, languages, asset, path: at === -1 ? url : url.slice(0, at),
      urlInLanguage: (l: Lang) => urlInLanguage(url, l), pageUrl: (n: number) => withQueryParam(url, 'page', String(n)),
      q, result,
    }))
  }
}
