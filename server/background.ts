import path from 'node:path'
import type { Logger } from 'pino'
import { inProcessHandlers } from '../services/handlers.js'
import type { Config } from './config.js'
import { createApplicationRepository } from './db/applicationRepository.js'
import { createCatalogueRepository } from './db/catalogueRepository.js'
import type { DatabaseHandle } from './db/database.js'
import { createIdentityRepository } from './db/identityRepository.js'
import { createMailOutboxRepository } from './db/mailOutboxRepository.js'
import { createApplicationService } from './domain/applications/applicationService.js'
import { createFileBlobStore } from './domain/applications/blobStore.js'
import { statusEmail } from './domain/applications/statusEmail.js'
import { createCatalogueService } from './domain/catalogue/catalogueService.js'
import { createLocalBusinessRegistry } from './domain/identity/businessRegistry.js'
import type { Mailer } from './domain/identity/mailer.js'
import { createMailQueue } from './domain/queues/mailQueue.js'
import { agencyHandlers } from './domain/routing/agencyHandlers.js'
import { createDispatcher, type Dispatcher } from './domain/routing/dispatcher.js'

/** What to call after a commit so the background queues act at once. */
export interface Wakers { dispatch: () => void, mail: () => void }

/** The application use cases over one database handle, waking the background queues through `wake`. */
export function createApplications(config: Config, database: DatabaseHandle, wake: Wakers) {
  const repo = createApplicationRepository(database.db, database.dialect)
  const mailOutbox = createMailOutboxRepository(database.dialect)
  const catalogue = createCatalogueService(createCatalogueRepository(database.db, database.dialect), { cacheSeconds: config.catalogueCacheSeconds })
  const applications = createApplicationService({
    repo, catalogue, blobs: createFileBlobStore(path.join(config.dataDir, 'files')),
    wake: wake.dispatch,
    tellByEmail: statusEmail({ outbox: mailOutbox, publicUrl: config.publicUrl }),
    wakeMail: wake.mail,
  })
  return { repo, mailOutbox, catalogue, applications }
}

/**
 * The background work: delivering applications to agencies (the outbox dispatcher) and
 * sending status emails (the mail queue). It runs in a worker thread of its own by
 * default (server/backgroundWorker.ts), with its own database connection, so the web
 * thread's event loop serves requests only; BACKGROUND=inline runs it beside the web.
 */
export async function createBackground(config: Config, database: DatabaseHandle, mailer: Mailer, logger: Logger) {
  const { repo, mailOutbox, applications } = createApplications(config, database, { dispatch: () => dispatcher.wake(), mail: () => mailQueue.wake() })
  const registry = await createLocalBusinessRegistry(createIdentityRepository(database.db))
  const mailQueue = createMailQueue({ repo: mailOutbox, commit: repo.commit, mailer, logger: logger.child({ component: 'mail' }) })
  const routing = agencyHandlers(inProcessHandlers, config.agencyEndpoints, {
    allowedPrivateRanges: config.agencyEndpointAllow, timeoutMs: config.agencyEndpointTimeoutMs,
  })
  const dispatcher: Dispatcher = createDispatcher({
    repo, dialect: database.dialect, applications, ...routing, registry, logger: logger.child({ component: 'dispatcher' }),
    options: { leaseMs: config.dispatchLeaseSeconds * 1000, pollMs: Math.min(2_000, config.dispatchLeaseSeconds * 500) },
  })
  return {
    wake: { dispatch: () => dispatcher.wake(), mail: () => mailQueue.wake() } satisfies Wakers,
    start() {
      dispatcher.start()
      mailQueue.start()
    },
    /** Ends both loops after the batch each has in hand. */
    async stop() {
      await Promise.all([dispatcher.stop(), mailQueue.stop()])
    },
  }
}
