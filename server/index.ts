import closeWithGrace from 'close-with-grace'
import { createApp } from './app.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { openDatabase } from './db/database.js'
import { createCatalogueRepository } from './db/catalogueRepository.js'
import { createIdentityRepository } from './db/identityRepository.js'
import { DatabaseRateLimitStore } from './db/rateLimitStore.js'
import { DatabaseSessionStore } from './db/sessionStore.js'
import { createAccountService } from './domain/identity/accountService.js'
import { createLocalBusinessRegistry } from './domain/identity/businessRegistry.js'
import { createBusinessService } from './domain/identity/businessService.js'
import { demoAccounts } from './domain/identity/demoAccounts.js'
import { createMailer } from './mail.js'
import { migrateToLatest } from './db/migrate.js'
import { createCatalogueService } from './domain/catalogue/catalogueService.js'
import { loadCatalogueSource } from './domain/catalogue/manifest.js'
import { seedCatalogue } from './domain/catalogue/seedCatalogue.js'
import { createLogger } from './logger.js'
import { createApplicationRepository } from './db/applicationRepository.js'
import { createApplicationService } from './domain/applications/applicationService.js'
import { createFileBlobStore } from './domain/applications/blobStore.js'
import { statusEmail } from './domain/applications/statusEmail.js'
import { createDispatcher, type Dispatcher } from './domain/routing/dispatcher.js'
import { createMailOutboxRepository } from './db/mailOutboxRepository.js'
import { createMailQueue } from './domain/queues/mailQueue.js'
import { inProcessHandlers } from '../services/handlers.js'
import { agencyHandlers } from './domain/routing/agencyHandlers.js'
import path from 'node:path'
import { servicesDir } from './paths.js'

// Composition root: config → db → migrate → seed → domain → app → listen.
async function main(config: Config) {
  const logger = createLogger(config.logLevel)
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  logger.info({ dialect: database.dialect, dataDir: config.dataDir }, 'database opened')
  const applied = await migrateToLatest(database)
  if (applied.length) logger.info({ applied }, 'migrations applied')

  const catalogueRepository = createCatalogueRepository(database.db, database.dialect)
  const source = await loadCatalogueSource(servicesDir)
  if (config.seedCatalogue) {
    const loaded = await seedCatalogue(catalogueRepository, source)
    if (loaded.length) logger.info({ files: loaded.length }, 'catalogue manifests loaded')
  }

  const identityRepository = createIdentityRepository(database.db)
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir })
  const accounts = createAccountService({
    repo: identityRepository,
    mailer,
    publicUrl: config.publicUrl,
  })
  if (!config.production) {
    const created = await accounts.ensureDemoAccounts(demoAccounts)
    if (created) logger.info({ created }, 'demo accounts created (not in production; see README)')
  }

  const catalogue = createCatalogueService(catalogueRepository, { cacheSeconds: config.catalogueCacheSeconds })
  const registry = await createLocalBusinessRegistry(identityRepository)
  const applicationRepository = createApplicationRepository(database.db, database.dialect)
  const mailOutbox = createMailOutboxRepository(database.dialect)
  const applications = createApplicationService({
    repo: applicationRepository, catalogue, blobs: createFileBlobStore(path.join(config.dataDir, 'files')),
    // The dispatcher is made just below; a submission can only come once the server listens.
    wake: () => dispatcher.wake(),
    tellByEmail: statusEmail({ outbox: mailOutbox, publicUrl: config.publicUrl }),
    wakeMail: () => mailQueue.wake(),
  })
  const mailQueue = createMailQueue({ repo: mailOutbox, commit: applicationRepository.commit, mailer, logger: logger.child({ component: 'mail' }) })
  mailQueue.start()
  const routing = agencyHandlers(inProcessHandlers, config.agencyEndpoints, {
    allowedPrivateRanges: config.agencyEndpointAllow, timeoutMs: config.agencyEndpointTimeoutMs,
  })
  const dispatcher: Dispatcher = createDispatcher({
    repo: applicationRepository, dialect: database.dialect, applications, ...routing, registry, logger: logger.child({ component: 'dispatcher' }),
    options: { leaseMs: config.dispatchLeaseSeconds * 1000, pollMs: Math.min(2_000, config.dispatchLeaseSeconds * 500) },
  })
  dispatcher.start()

  let shuttingDown = false
  const app = createApp({
    config,
    logger,
    catalogue,
    accounts,
    businesses: createBusinessService({ repo: identityRepository, registry }),
    applications,
    sessionStore: new DatabaseSessionStore(database.db),
    rateLimitStore: (prefix) => new DatabaseRateLimitStore(database.db, prefix),
    health: { ready: async () => !shuttingDown && database.ping() },
  })

  const server = app.listen(config.port, config.host)
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
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
    await dispatcher.stop()
    await mailQueue.stop()
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
