import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { pino, type Logger } from 'pino'
import { createApp, type AppDeps } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { openDatabase, type DatabaseHandle, type DatabaseOptions } from '../../server/db/database.js'
import { migrateToLatest } from '../../server/db/migrate.js'
import type { Mailer } from '../../server/domain/identity/mailer.js'
import type { MailQueue, MailQueueOptions } from '../../server/domain/queues/mailQueue.js'
import type { Dispatcher, DispatcherOptions } from '../../server/domain/routing/dispatcher.js'
import { createMailer } from '../../server/mail/mailer.js'
import { createServices, type Services } from '../../server/services.js'
import { loadAgencies, loadAuditKey, seed, type Agencies } from '../../server/start.js'

export const defaultPostgresUrl = 'postgres://postgres@127.0.0.1:5432/test'
export const usePostgres = process.env['TEST_DB'] === 'pg'
export const postgresUrl = process.env['TEST_DATABASE_URL'] ?? defaultPostgresUrl

export interface TestDatabase {
  handle: DatabaseHandle
  /** how to open it again, from another thread */
  options: DatabaseOptions
  /** another connection (pool) to the same database, as a second instance of the portal has; closed by dispose() */
  reopen(): DatabaseHandle
  /** drops what the test made: the temporary directory or the PostgreSQL schema */
  dispose(): Promise<void>
}

/**
 * A fresh, migrated database: SQLite in a temporary directory by default, or a
 * private schema on PostgreSQL when TEST_DB=pg (npm run test:pg).
 */
export async function createTestDatabase(options: { upTo?: string } = {}): Promise<TestDatabase> {
  if (usePostgres) {
    const schema = `t_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: postgresUrl })
    await admin.connect()
    await admin.query(`create schema ${schema}`)
    await admin.end()
    const opened = { databaseUrl: postgresUrl, dataDir: '', schema, poolSize: 5 }
    const handle = openDatabase(opened)
    await migrateToLatest(handle, options.upTo)
    const others: DatabaseHandle[] = []
    return {
      handle,
      options: opened,
      reopen: () => others[others.push(openDatabase(opened)) - 1]!,
      async dispose() {
        for (const other of others) await other.close().catch(() => {})
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
  await migrateToLatest(handle, options.upTo)
  const others: DatabaseHandle[] = []
  return {
    handle,
    options: { dataDir },
    reopen: () => others[others.push(openDatabase({ dataDir })) - 1]!,
    async dispose() {
      for (const other of others) await other.close().catch(() => {})
      await handle.close().catch(() => {})
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface TestPortal {
  app: ReturnType<typeof createApp>
  /** the composition root's services, as the web process has them */
  services: Services
  /** what the app was built from, to build variants (a failing catalogue, production) */
  appDeps: AppDeps
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

/**
 * The whole app over a seeded test database, with every security feature on, built by
 * the same composition root and start sequence as the portal (server/services.ts,
 * server/start.ts) from the same settings a deployment reads.
 */
export async function createTestPortal(options: {
  production?: boolean
  cacheSeconds?: number
  /** where the portal is reached, for links in emails and the national sign-in callback */
  publicUrl?: string
  /** the national identity provider to use; none by default */
  nationalId?: { issuer: string, clientId: string, clientSecret: string }
  /** agencies whose applications go to an HTTP endpoint, and the private ranges those may use */
  agencyEndpoints?: Record<string, { url: string, secret: string }>
  endpointAllow?: string[]
  dispatcher?: Partial<DispatcherOptions>
  /** where status emails go (SMTP in the mail queue test); the file mailer by default */
  mailer?: Mailer
  mailQueue?: Partial<MailQueueOptions>
  /** the proxies believed; loopback by default, so tests can give each simulated person an address */
  trustProxy?: number | string | false
  /** the agency folders; the project's services/ by default */
  agencies?: Agencies
  /** requests a minute per Agency API key */
  agencyApiPerMinute?: number
  /** when an endpoint is suspended after failing */
  endpointSuspension?: { failures: number, afterMs: number }
  /** the portal's logger; silent by default (TEST_LOG=info shows it) */
  logger?: Logger
  /** a database made beforehand (an upgrade test brings one from an older schema); a fresh one by default */
  database?: TestDatabase
  /** the portal's clock (a test of deadlines over Tết); the real one by default */
  clock?: () => Date
} = {}): Promise<TestPortal> {
  const database = options.database ?? await createTestDatabase()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'portal-data-'))
  const config = {
    ...loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }),
    production: options.production ?? false,
    trustProxy: options.trustProxy ?? 'loopback',
    catalogueCacheSeconds: options.cacheSeconds ?? 0,
    sessionSecret: 'test-session-secret-test-session-secret',
    publicUrl: options.publicUrl ?? testPublicUrl,
    nationalId: options.nationalId,
    agencyEndpoints: options.agencyEndpoints ?? {},
    agencyEndpointAllow: options.endpointAllow ?? [],
    agencyEndpointTimeoutMs: 2_000,
    ...(options.agencyApiPerMinute ? { agencyApiPerMinute: options.agencyApiPerMinute } : {}),
    ...(options.endpointSuspension ? { endpointSuspension: options.endpointSuspension } : {}),
  }
  const logger = options.logger ?? pino({ level: process.env['TEST_LOG'] ?? 'silent' })
  const agencies = options.agencies ?? await loadAgencies()
  const services = createServices(config, {
    database: database.handle, logger, handlers: agencies.handlers, auditKey: loadAuditKey(config),
    mailer: options.mailer ?? createMailer({ smtpUrl: undefined, from: 'portal@test', dataDir }),
    // The dispatcher is not started (tests drain it); each committed change has its email
    // sent at once, as the portal does.
    wake: { dispatch: () => {} }, clock: options.clock,
    tuning: { dispatcher: { baseDelayMs: 10, maxDelayMs: 50, ...options.dispatcher }, mailQueue: options.mailQueue },
  })
  await seed(services, config, agencies, logger, { demoAccounts: false })
  const appDeps: AppDeps = { config, logger, services }
  const { dispatcher, mailQueue } = services.background
  return {
    app: createApp(appDeps), services, appDeps, database, mailDir: path.join(dataDir, 'mail'), dispatcher, mailQueue,
    close: async () => {
      await mailQueue.stop()
      await services.audit.requestLog.close()
      await database.dispose()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
