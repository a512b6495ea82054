// The web process: config → database → migrate → agencies → services → seed →
// background → app → listen, and a graceful stop.
import closeWithGrace from 'close-with-grace'
import { createApp } from './app.js'
import { startBackground, type Background } from './background/startBackground.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { openDatabase } from './db/database.js'
import { createLogger } from './logger.js'
import { createMailer } from './mail/mailer.js'
import type { RequestRow } from './domain/audit/requestLog.js'
import { createServices } from './services.js'
import { searchPageRenderer } from './web/searchPage.js'
import { createHttpServer } from './web/httpServer.js'
import { startSearchThread } from './search/searchThread.js'
import { loadAgencies, loadAuditKey, migrate, seed } from './start.js'

async function main(config: Config) {
  const logger = createLogger(config.logLevel)
  const databaseOptions = { databaseUrl: config.databaseUrl, dataDir: config.dataDir }
  const database = openDatabase(databaseOptions)
  logger.info({ dialect: database.dialect, dataDir: config.dataDir }, 'database opened')
  await migrate(database, logger)

  const agencies = await loadAgencies()
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir })
  // With a background thread, a commit here wakes the thread's queues, not this thread's.
  const started: { background?: Background } = {}
  const wake = config.background === 'thread'
    ? { dispatch: () => started.background?.wake.dispatch(), mail: () => started.background?.wake.mail() }
    : undefined
  const requestRows = config.background === 'thread'
    ? { insert: async (rows: RequestRow[]) => { await started.background?.requestRows.insert(rows) } }
    : undefined
  const services = createServices(config, { database, mailer, logger, handlers: agencies.handlers, auditKey: loadAuditKey(config), wake, requestRows })
  await seed(services, config, agencies, logger)
  const background = started.background = await startBackground(config, services, logger)
  if (!config.auditTree) logger.warn('AUDIT_TREE=off: audit entries are recorded but not placed in the public log nor signed until it is on again')

  // A service approved or suspended on any instance shows here within two seconds.
  const stopFollowing = services.catalogue.followChanges(2_000)

  // Searches on a thread of their own beside the background's; inline, on the web thread,
  // as they are too when the thread cannot start (its heap is limited: a catalogue far
  // larger than today's could outgrow it).
  const searchThread = config.background === 'thread'
    ? await startSearchThread({ database: databaseOptions, cacheSeconds: config.catalogueCacheSeconds, cacheTemplates: config.production },
        searchPageRenderer(services.catalogue, { cache: config.production }), logger)
        .catch((err: unknown) => { logger.error({ err }, 'search thread not started; searches are served by the web thread'); return undefined })
    : undefined
  if (searchThread) services.catalogue.onChange(() => searchThread.forget())

  let shuttingDown = false
  const app = createApp({ config, logger, services, ready: async () => !shuttingDown && services.databaseReady(), searchPage: searchThread?.page })
  const server = createHttpServer(app).listen(config.port, config.host)
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  // The search index (a few tenths of a second at 6,000 services) before the first visitor
  // needs it: the search thread built its own; here it serves the open-data API's search.
  services.catalogue.prepareSearch().catch((err: unknown) => logger.error({ err }, 'search index not built; the first search will try again'))
  services.statistics.prepare().catch((err: unknown) => logger.error({ err }, 'statistics not computed; the first visitor to /statistics will try again'))
  // Hourly whether or not anyone looks, so the published figures are never more than an hour old.
  setInterval(() => {
    services.statistics.refresh().catch((err: unknown) => logger.error({ err }, 'statistics not refreshed'))
  }, 3_600_000).unref()
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  logger.info({ port }, `portal listening on http://localhost:${port}`)

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'closing after an error')
    logger.info({ signal }, 'shutting down: draining requests')
    shuttingDown = true
    // close() stops new connections and waits for requests in flight; idle keep-alive
    // connections would hold it open, so they are closed now and as they go idle.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    const idleCloser = setInterval(() => server.closeIdleConnections(), 100)
    await closed
    clearInterval(idleCloser)
    stopFollowing()
    // The request log's last rows (at most about a second of them) before the database closes.
    await services.audit.requestLog.close()
    await background.stop()
    await searchThread?.stop()
    mailer.close()
    await database.close()
    logger.info('shut down cleanly')
    logger.flush()
  })
}

let config: Config
try {
  config = loadConfig()
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`)
    process.exit(1)
  }
  throw e
}
main(config).catch((err: unknown) => {
  process.stderr.write(`Start failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
