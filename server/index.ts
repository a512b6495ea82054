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
import { loadCatalogueSource } from './domain/catalogue/manifest.js'
import { seedCatalogue } from './domain/catalogue/seedCatalogue.js'
import { createLogger } from './logger.js'
import { createApplications, createBackground } from './background.js'
import type { BackgroundMessage } from './backgroundWorker.js'
import type { DatabaseHandle } from './db/database.js'
import type { Mailer } from './domain/identity/mailer.js'
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import type { Logger } from 'pino'
import path from 'node:path'
import { servicesDir } from './paths.js'

/**
 * The background queues in a worker thread of their own (the default), woken by a
 * message after each commit; or beside the web (BACKGROUND=inline).
 */
async function startBackground(config: Config, database: DatabaseHandle, mailer: Mailer, logger: Logger) {
  if (config.background === 'inline') {
    const inline = await createBackground(config, database, mailer, logger)
    inline.start()
    return inline
  }
  // Compiled: backgroundWorker.js beside this file. From the TypeScript source (npm run
  // dev, the process tests) the thread registers tsx first: it does not inherit the loader.
  const fromSource = path.extname(fileURLToPath(import.meta.url)) === '.ts'
  const entry = new URL(`./backgroundWorker${fromSource ? '.ts' : '.js'}`, import.meta.url)
  const worker = fromSource
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`, { eval: true })
    : new Worker(entry)
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve())
    worker.once('error', reject)
  })
  let stopping = false
  worker.on('error', (err) => logger.fatal({ err }, 'background thread failed'))
  // A background thread that dies takes deliveries and emails with it: the process
  // exits so that it is restarted; everything owed is in the database.
  worker.on('exit', (code) => {
    if (!stopping) {
      logger.fatal({ code }, 'background thread exited')
      process.exit(1)
    }
  })
  const post = (message: BackgroundMessage) => () => worker.postMessage(message)
  return {
    wake: { dispatch: post('dispatch'), mail: post('mail') },
    async stop() {
      stopping = true
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.postMessage('stop')
      await exited
    },
  }
}

// Composition root: config → db → migrate → seed → domain → background → app → listen.
async function main(config: Config) {
  const logger = createLogger(config.logLevel)
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  logger.info({ dialect: database.dialect, dataDir: config.dataDir }, 'database opened')
  const applied = await database.startingAlone(() => migrateToLatest(database))
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

  const registry = await createLocalBusinessRegistry(identityRepository)
  const background = await startBackground(config, database, mailer, logger)
  const { catalogue, applications } = createApplications(config, database, background.wake)

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
    await background.stop()
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
