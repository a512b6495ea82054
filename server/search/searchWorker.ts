// The search thread (./searchThread.ts): finds and renders the search page of a visitor
// without a session with its own connection to the database and its own search index,
// so that the web thread only sends it on. It follows the catalogue's changes as any
// instance does, and at once when its web thread says the catalogue changed.
import { parentPort, workerData } from 'node:worker_threads'
import { createCatalogueRepository } from '../db/catalogueRepository.js'
import { openDatabase, type DatabaseOptions } from '../db/database.js'
import { createCatalogueService } from '../domain/catalogue/catalogueService.js'
import { loadSearchTerms } from '../domain/catalogue/searchTerms.js'
import { searchTermsFile } from '../paths.js'
import { searchPageRenderer } from '../web/searchPage.js'
import type { SearchThreadMessage, SearchThreadOptions, SearchThreadReply } from './searchThread.js'

const port = parentPort
if (!port) throw new Error('server/search/searchWorker.ts runs as a worker thread (server/search/searchThread.ts)')
const options = workerData as SearchThreadOptions
const database = openDatabase({ ...options.database, poolSize: 2 } satisfies DatabaseOptions)
const catalogue = createCatalogueService(createCatalogueRepository(database.db, database.dialect), {
  cacheSeconds: options.cacheSeconds, searchTerms: loadSearchTerms(searchTermsFile),
})
const page = searchPageRenderer(catalogue, { cache: options.cacheTemplates })
const stopFollowing = catalogue.followChanges(2_000)

port.on('message', (message: SearchThreadMessage) => {
  if (message === 'forget') catalogue.forget()
  else if (message === 'stop') {
    stopFollowing()
    void database.close().finally(() => port.close())
  } else {
    const { id, query } = message
    page(query).then(
      ({ body, etag }) => port.postMessage({ id, body, etag } satisfies SearchThreadReply),
      (err: unknown) => port.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies SearchThreadReply),
    )
  }
})
await catalogue.prepareSearch()
port.postMessage('ready')
