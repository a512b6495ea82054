import type { Request } from 'express'
import { languages } from '../domain/catalogue/types.js'
import { inputParser, rules } from './validation.js'

export const maxPage = 1000

/** The query parameters shared by the search page and the open-data API. */
export const catalogueQueryRules = {
  q: rules.text(200),
  lang: rules.oneOf(languages),
  agency: rules.slug(),
  category: rules.slug(),
  page: rules.integer(1, maxPage, 1),
}

const parseQuery = inputParser(catalogueQueryRules)
export const parseCatalogueQuery = (req: Request) => parseQuery(req.query)
export const parsePageOnly = inputParser({ page: catalogueQueryRules.page })
