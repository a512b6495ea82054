import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { pino } from 'pino'
import { createApp, type AppDeps } from '../../server/app.js'
import { createCatalogueRepository } from '../../server/db/catalogueRepository.js'
import { createIdentityRepository } from '../../server/db/identityRepository.js'
import { DatabaseRateLimitStore } from '../../server/db/rateLimitStore.js'
import { DatabaseSessionStore } from '../../server/db/sessionStore.js'
import { createAccountService } from '../../server/domain/identity/accountService.js'
import { createLocalBusinessRegistry } from '../../server/domain/identity/businessRegistry.js'
import { createBusinessService } from '../../server/domain/identity/businessService.js'
import { createMailer } from '../../server/mail.js'
import { openDatabase, type DatabaseHandle } from '../../server/db/database.js'
import { migrateToLatest } from '../../server/db/migrate.js'
import { createCatalogueService } from '../../server/domain/catalogue/catalogueService.js'
import { loadCatalogueSource } from '../../server/domain/catalogue/manifest.js'
import { seedCatalogue } from '../../server/domain/catalogue/seedCatalogue.js'
import { servicesDir } from '../../server/paths.js'
import { createApplicationRepository } from '../../server/db/applicationRepository.js'
import { createApplicationService } from '../../server/domain/applications/applicationService.js'
import { createFileBlobStore } from '../../server/domain/applications/blobStore.js'
import { statusEmail } from '../../server/domain/applications/statusEmail.js'
import { createDispatcher, type Dispatcher } from '../../server/domain/routing/dispatcher.js'
import { inProcessHandlers } from '../../services/handlers.js'
import { agencyHandlers } from '../../server/domain/routing/agencyHandlers.js'
import type { DispatcherOptions } from '../../server/domain/routing/dispatcher.js'
import { createMailOutboxRepository } from '../../server/db/mailOutboxRepository.js'
import { createMailQueue, type MailQueue, type MailQueueOptions } from '../../server/domain/queues/mailQueue.js'
import type { Mailer } from '../../server/domain/identity/mailer.js'
import type { RemoteEndpoint } from '../../server/domain/routing/remoteHandler.js'

export const defaultPostgresUrl = 'postgres://postgres@127.0.0.1:5432/test'
export const usePostgres = process.env['TEST_DB'] === 'pg'
export const postgresUrl = process.env['TEST_DATABASE_URL'] ?? defaultPostgresUrl

export interface TestDatabase {
  handle: DatabaseHandle
  /** drops what the test made: the temporary directory or the PostgreSQL schema */
  dispose(): Promise<void>
}

/**
 * A fresh, migrated database: SQLite in a temporary directory by default, or a
 * private schema on PostgreSQL when TEST_DB=pg (npm run test:pg).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (usePostgres) {
    const schema = `t_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: postgresUrl })
    await admin.connect()
    await admin.query(`create schema ${schema}`)
    await admin.end()
    const handle = openDatabase({ databaseUrl: postgresUrl, dataDir: '', schema, poolSize: 5 })
    await migrateToLatest(handle)
    return {
      handle,
      async dispose() {
        await handle.close().catch(() => {})
        const client = new pg.Client({ connectionString: postgresUrl })
        await client.connect()
        await client.query(`drop schema ${schema} cascade`)
        await client.end()
      },
    }
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'portal-test-'))
  const handle = openDatabase({ dataDir })
  await migrateToLatest(handle)
  return {
    handle,
    async dispose() {
      await handle.close().catch(() => {})
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface TestPortal {
  app: ReturnType<typeof createApp>
  /** what the app was built from, to build variants (a failing catalogue, production) */
  deps: AppDeps
  database: TestDatabase
  /** where the portal's emails are written (the file mailer used outside production) */
  mailDir: string
  /** the outbox dispatcher, not started: tests call drain() to deliver what is due */
  dispatcher: Dispatcher
  /** the status-email queue, not polling: woken by each change, or drain() */
  mailQueue: MailQueue
  close(): Promise<void>
}

export const testPublicUrl = 'http://portal.test'

/** The whole app over a seeded test database, with every security feature on. */
export async function createTestPortal(options: {
  production?: boolean, cacheSeconds?: number
  /** where the portal is reached, for links in emails and the national sign-in callback */
  publicUrl?: string
  /** the national identity provider to use; none by default */
  nationalId?: { issuer: string, clientId: string, clientSecret: string }
  /** agencies whose applications go to an HTTP endpoint, and the private ranges those may use */
  agencyEndpoints?: Record<string, RemoteEndpoint>
  endpointAllow?: string[]
  dispatcher?: Partial<DispatcherOptions>
  /** where status emails go (SMTP in the mail queue test); the file mailer by default */
  mailer?: Mailer
  mailQueue?: Partial<MailQueueOptions>
  /** the proxies believed; loopback by default, so tests can give each simulated person an address */
  trustProxy?: number | string | false
} = {}): Promise<TestPortal> {
  const database = await createTestDatabase()
  const repo = createCatalogueRepository(database.handle.db, database.handle.dialect)
  await seedCatalogue(repo, await loadCatalogueSource(servicesDir))
  const mailRoot = mkdtempSync(path.join(tmpdir(), 'portal-mail-'))
  const { db } = database.handle
  const identity = createIdentityRepository(db)
  const mailer = createMailer({ smtpUrl: undefined, from: 'portal@test', dataDir: mailRoot })
  const catalogue = createCatalogueService(repo, { cacheSeconds: options.cacheSeconds ?? 0 })
  const registry = await createLocalBusinessRegistry(identity)
  const applicationRepository = createApplicationRepository(db, database.handle.dialect)
  const mailOutbox = createMailOutboxRepository(database.handle.dialect)
  const applications = createApplicationService({
    repo: applicationRepository, catalogue, blobs: createFileBlobStore(path.join(mailRoot, 'files')), wake: () => {},
    tellByEmail: statusEmail({ outbox: mailOutbox, publicUrl: options.publicUrl ?? testPublicUrl }),
    // Not started (no polling): each committed change has its email sent at once, as the portal does.
    wakeMail: () => mailQueue.wake(),
  })
  const mailQueue = createMailQueue({ repo: mailOutbox, commit: applicationRepository.commit, mailer: options.mailer ?? mailer, logger: pino({ level: 'silent' }), options: options.mailQueue })
  const routing = agencyHandlers(inProcessHandlers, options.agencyEndpoints ?? {}, { allowedPrivateRanges: options.endpointAllow ?? [], timeoutMs: 2_000 })
  const dispatcher = createDispatcher({
    repo: applicationRepository, dialect: database.handle.dialect, applications, ...routing, registry,
    logger: pino({ level: 'silent' }), options: { baseDelayMs: 10, maxDelayMs: 50, ...options.dispatcher },
  })
  const deps: AppDeps = {
    config: {
      production: options.production ?? false, trustProxy: options.trustProxy ?? 'loopback', catalogueCacheSeconds: options.cacheSeconds ?? 0,
      sessionSecret: 'test-session-secret-test-session-secret', publicUrl: options.publicUrl ?? testPublicUrl, nationalId: options.nationalId,
    },
    logger: pino({ level: 'silent' }),
    catalogue,
    accounts: createAccountService({
      repo: identity,
      mailer,
      publicUrl: options.publicUrl ?? testPublicUrl,
    }),
    businesses: createBusinessService({ repo: identity, registry }),
    applications,
    sessionStore: new DatabaseSessionStore(db),
    rateLimitStore: (prefix) => new DatabaseRateLimitStore(db, prefix),
    health: { ready: () => database.handle.ping() },
  }
  const app = createApp(deps)
  return {
    app, deps, database, mailDir: path.join(mailRoot, 'mail'), dispatcher, mailQueue,
    close: async () => {
      await mailQueue.stop()
      await database.dispose()
      rmSync(mailRoot, { recursive: true, force: true })
    },
  }
}
