import type { Request } from 'express'
import { languages } from '../domain/catalogue/types.js'
import { parseInput, rules } from '../web/validation.js'

export const maxPage = 1000

/** The query parameters shared by the search page and the open-data API. */
export const catalogueQueryRules = {
  q: rules.text(200),
  lang: rules.oneOf(languages),
  agency: rules.slug(),
  category: rules.slug(),
  page: rules.integer(1, maxPage, 1),
}

export const parseCatalogueQuery = (req: Request) => parseInput(catalogueQueryRules, req.query)
