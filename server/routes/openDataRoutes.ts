import { Router } from 'express'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import type { Service } from '../domain/catalogue/types.js'
import { csvCell, writeChunk as write } from '../web/csv.js'
import { serviceJson } from './apiRoutes.js'

const csvColumns: Array<[string, (s: Service) => string | number | null]> = [
  ['id', (s) => s.id],
  ['code', (s) => s.code],
  ['agency_id', (s) => s.agency.id],
  ['agency_name_vi', (s) => s.agency.name.vi],
  ['name_vi', (s) => s.name.vi],
  ['name_en', (s) => s.name.en],
  ['name_fr', (s) => s.name.fr],
  ['fee_vnd', (s) => s.feeVnd],
  ['processing_days', (s) => s.processingDays],
  ['online_level', (s) => s.onlineLevel],
  ['applies_online_here', (s) => (s.appliesOnline ? 'true' : 'false')],
  ['applicants', (s) => s.applicants.join(' ')],
  ['life_events', (s) => s.lifeEvents.join(' ')],
  ['documents_vi', (s) => s.documents.map((d) => d.vi).join(' | ')],
  ['description_vi', (s) => s.description.vi],
  ['description_en', (s) => s.description.en],
  ['description_fr', (s) => s.description.fr],
  ['legal_basis', (s) => s.legalBasis],
]

export function openDataRoutes(catalogue: CatalogueService, publicUrl: string): Router {
  const router = Router()

  router.get('/open-data', (_req, res) => {
    res.locals['routeName'] = 'open-data'
    res.render('pages/open-data/index')
  })

  router.get('/open-data/services.csv', async (_req, res) => {
    res.locals['routeName'] = 'open-data.csv'
    res.type('text/csv; charset=utf-8').attachment('dich-vu-cong.csv')
    // The byte-order mark makes spreadsheet programs read the Vietnamese as UTF-8.
    await write(res, `\uFEFF${csvColumns.map(([name]) => name).join(',')}\r\n`)
    for await (const service of catalogue.eachService()) {
      await write(res, `${csvColumns.map(([, get]) => csvCell(get(service))).join(',')}\r\n`)
    }
    res.end()
  })

  router.get('/open-data/services.json', async (_req, res) => {
    res.locals['routeName'] = 'open-data.json'
    res.type('application/json').attachment('dich-vu-cong.json')
    let first = true
    await write(res, '[')
    for await (const service of catalogue.eachService()) {
      await write(res, `${first ? '' : ','}\n${JSON.stringify(serviceJson(publicUrl, service))}`)
      first = false
    }
    res.end('\n]\n')
  })

  return router
}
