import path from 'node:path'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { createAgencyRepository } from './db/agencyRepository.js'
import { createApplicationRepository } from './db/applicationRepository.js'
import { createAuditLog } from './db/audit.js'
import { createAuditLogRepository } from './db/auditLogRepository.js'
import { createAuditorRepository } from './db/auditorRepository.js'
import { archiveRequestLog, createRequestLogStore } from './db/requestLogRepository.js'
import { createAuditorSearch } from './domain/audit/auditorSearch.js'
import { createPersonalData } from './domain/audit/personalData.js'
import { createRequestLogWriter, type RequestLogStore } from './domain/audit/requestLog.js'
import { parseVerifierKey, type SigningKey } from './domain/audit/signedNote.js'
import { createTransparencyLog } from './domain/audit/transparencyLog.js'
import { createCatalogueRepository } from './db/catalogueRepository.js'
import type { DatabaseHandle } from './db/database.js'
import { createIdentityRepository } from './db/identityRepository.js'
import { createMailOutboxRepository } from './db/mailOutboxRepository.js'
import { createOutboxRepository } from './db/outboxRepository.js'
import { BufferedRateLimitStore, DatabaseRateLimitStore } from './db/rateLimitStore.js'
import { DatabaseSessionStore } from './db/sessionStore.js'
import { createResultRepository } from './db/resultRepository.js'
import { createStatisticsRepository } from './db/statisticsRepository.js'
import { hasApplications, writeDemoHistory } from './db/demoHistoryWriter.js'
import { createStatistics } from './domain/statistics/statisticsService.js'
import { renderResultPdf } from './documents/resultPdf.js'
import { createResults } from './domain/results/resultService.js'
import type { ResultSigner } from './domain/results/resultKeys.js'
import { loadResultKey } from './start.js'
import { createApplicationService } from './domain/applications/applicationService.js'
import { createFileBlobStore } from './domain/applications/blobStore.js'
import { statusEmail } from './domain/applications/statusEmail.js'
import { createCatalogueService } from './domain/catalogue/catalogueService.js'
import { loadSearchTerms } from './domain/catalogue/searchTerms.js'
import { searchTermsFile } from './paths.js'
import { createAccountService } from './domain/identity/accountService.js'
import { createLocalBusinessRegistry, seedDemoEnterprises } from './domain/identity/businessRegistry.js'
import { demoAccounts } from './domain/identity/demoAccounts.js'
import { seedCatalogue, seedExtraServices } from './domain/catalogue/seedCatalogue.js'
import type { CatalogueSource } from './domain/catalogue/manifest.js'
import { createBusinessService } from './domain/identity/businessService.js'
import type { Mailer } from './domain/identity/mailer.js'
import { createMailQueue, type MailQueueOptions } from './domain/queues/mailQueue.js'
import { agencyEmail } from './domain/agencies/agencyEmail.js'
import { createApiKeys } from './domain/agencies/apiKeys.js'
import { createEndpoints } from './domain/agencies/endpoints.js'
import { createIdempotency } from './domain/agencies/idempotency.js'
import { createAgencyOnboarding } from './domain/agencies/onboarding.js'
import { createServiceRegistration } from './domain/catalogue/serviceRegistration.js'
import { createDispatcher, type DispatcherOptions } from './domain/routing/dispatcher.js'
import type { AgencyHandler } from './domain/routing/handlerContract.js'

/** What to call after a commit so the background queues act at once. */
export interface Wakers { dispatch: () => void, mail: () => void }

export interface ServiceParts {
  database: DatabaseHandle
  mailer: Mailer
  logger: Logger
  /** the agencies' in-process handlers, found in services/ at start (server/start.ts) */
  handlers: Record<string, AgencyHandler>
  /** signs the audit log's checkpoints (loadAuditKey in server/start.ts) */
  auditKey: SigningKey
  /**
   * How a commit wakes the background queues: by default this thread's own dispatcher
   * and mail queue; the web thread posts to the background thread instead.
   */
  wake?: Partial<Wakers>
  /**
   * Where request-log rows go: by default this thread's database (through the group
   * commit); the web thread hands them to the background thread instead, so their
   * inserts and commits never hold up a request.
   */
  requestRows?: RequestLogStore
  /** signs result tokens; by default loadResultKey (server/start.ts): RESULT_SIGNING_KEY, or a key kept in DATA_DIR */
  resultKey?: ResultSigner
  /** what time it is: the real clock but in tests that cross a calendar (deadlines over Tết) */
  clock?: () => Date
  /**
   * How long a group commit waits for more work (server/db/commitBatcher.ts): 0 where a
   * person waits for the answer; a few milliseconds in the background thread, whose
   * deliveries and emails end one by one.
   */
  commitLingerMs?: number
  /** queue timings other than the settings' (the tests' short backoff) */
  tuning?: { dispatcher?: Partial<DispatcherOptions>, mailQueue?: Partial<MailQueueOptions> }
}

/**
 * The composition root: every repository and use case of the portal, wired once. The
 * web process, the background thread, the command-line scripts and the tests all call
 * it; nothing else wires services together. It does no I/O: the start sequence
 * (server/start.ts) migrates and seeds before, and index.ts listens after.
 */
export function createServices(config: Config, parts: ServiceParts) {
  const { database, mailer, logger } = parts
  const { db, dialect } = database
  const identity = createIdentityRepository(db)
  const applicationRepository = createApplicationRepository(db, dialect, parts.clock, parts.commitLingerMs)
  const mailOutbox = createMailOutboxRepository(dialect)
  const wake: Wakers = {
    dispatch: parts.wake?.dispatch ?? (() => dispatcher.wake()),
    mail: parts.wake?.mail ?? (() => mailQueue.wake()),
  }

  const audit = createAuditLog(db)
  const catalogueRepository = createCatalogueRepository(db, dialect)
  const catalogue = createCatalogueService(catalogueRepository, { cacheSeconds: config.catalogueCacheSeconds, searchTerms: loadSearchTerms(searchTermsFile) })
  const registry = createLocalBusinessRegistry(identity)
  const accounts = createAccountService({ repo: identity, mailer, publicUrl: config.publicUrl })
  const businesses = createBusinessService({ repo: identity, registry })
  const blobs = createFileBlobStore(path.join(config.dataDir, 'files'))
  const applications = createApplicationService({
    repo: applicationRepository, audit, catalogue, blobs,
    wake: wake.dispatch, tellByEmail: statusEmail({ outbox: mailOutbox, publicUrl: config.publicUrl }), wakeMail: wake.mail, clock: parts.clock,
  })

  const results = createResults({
    repo: createResultRepository(db), commit: applicationRepository.commit, commitOne: applicationRepository.commitOne, audit,
    signer: parts.resultKey ?? loadResultKey(config), blobs, catalogue,
    render: renderResultPdf, nameOf: async (id) => (await accounts.findUser(id))?.fullName ?? null, publicUrl: config.publicUrl, clock: parts.clock,
  })

  const agencyRepository = createAgencyRepository(db, applicationRepository.commit)
  const email = agencyEmail({ repo: agencyRepository, outbox: mailOutbox, commit: applicationRepository.commit })
  const remoteOptions = { allowedPrivateRanges: config.agencyEndpointAllow, timeoutMs: config.agencyEndpointTimeoutMs }
  const keys = createApiKeys({ repo: agencyRepository, audit, email })
  const endpoints = createEndpoints({
    repo: agencyRepository, audit, email, remoteOptions, suspension: config.endpointSuspension, wake: () => { wake.dispatch(); wake.mail() },
  })
  const dispatcher = createDispatcher({
    repo: applicationRepository, queue: createOutboxRepository(dialect), applications, handlers: parts.handlers, endpoints: endpoints.directory, remoteOptions,
    registry, audit, logger: logger.child({ component: 'dispatcher' }),
    options: { leaseMs: config.dispatchLeaseSeconds * 1000, pollMs: Math.min(2_000, config.dispatchLeaseSeconds * 500), ...parts.tuning?.dispatcher },
  })
  const mailQueue = createMailQueue({
    repo: mailOutbox, commit: applicationRepository.commit, mailer, logger: logger.child({ component: 'mail' }), options: parts.tuning?.mailQueue,
  })

  const requestLogStore = createRequestLogStore(applicationRepository.commitOne, dialect)
  const requestLog = createRequestLogWriter(parts.requestRows ?? requestLogStore, {
    onError: (err, dropped) => logger.error({ err, dropped }, 'request log rows not written'),
  })
  const transparencyLog = createTransparencyLog({
    repo: createAuditLogRepository(db, dialect), key: parts.auditKey, earlierKeys: config.auditVerifierKeys.map(parseVerifierKey),
  })
  const auditorRepository = createAuditorRepository(db)
  const statistics = createStatistics({
    repo: createStatisticsRepository(db), commitOne: applicationRepository.commitOne, clock: parts.clock,
    onError: (err) => logger.error({ err }, 'statistics not refreshed'),
    onComputed: (figures) => logger.info(figures, 'statistics computed'),
  })
  const day = 86_400_000

  return {
    catalogue,
    accounts,
    businesses,
    applications,
    /** result documents of approved applications: issued, verified on /verify, revoked */
    results,
    /** the open statistics, the service index, time estimates and the applicants' satisfaction */
    statistics,
    /** what agencies manage for themselves: keys, endpoint; and their onboarding */
    agencies: {
      keys, endpoints, idempotency: createIdempotency(agencyRepository),
      onboarding: createAgencyOnboarding({ catalogue: catalogue.repository, accounts, audit }),
      services: createServiceRegistration({ repo: catalogue.repository, audit }),
    },
    sessionStore: new DatabaseSessionStore(db, dialect),
    rateLimitStore: (prefix: string) => new DatabaseRateLimitStore(db, prefix),
    /** the same count shared by instances, written behind (for the Agency API's per-key limit) */
    bufferedRateLimitStore: (prefix: string) => new BufferedRateLimitStore(db, prefix),
    /** the database answers: for /readyz */
    databaseReady: () => database.ping(),
    /** what the start sequence loads (server/start.ts) */
    seeding: {
      catalogue: (source: CatalogueSource) => seedCatalogue(catalogue.repository, source),
      extraServices: (entries: Parameters<typeof seedExtraServices>[1]) => seedExtraServices(catalogue.repository, entries),
      demoEnterprises: () => seedDemoEnterprises(identity),
      demoAccounts: () => accounts.ensureDemoAccounts(demoAccounts),
      /** a year of made-up history (server/db/demoHistoryWriter.ts), only into a database with no application: undefined otherwise */
      async demoHistory(progress?: (done: number, total: number) => void) {
        if (await hasApplications(db)) return undefined
        return writeDemoHistory(db, parts.clock?.() ?? new Date(), {}, progress)
      },
      endpointsFromSettings: () => endpoints.importFromSettings(config.agencyEndpoints),
    },
    /** the request log (written behind) and the audit trail as a verifiable log */
    audit: {
      requestLog, transparencyLog,
      /** this thread's own database writes of request rows (what the background thread does with the web thread's) */
      requestLogStore,
      search: createAuditorSearch({ repo: auditorRepository, audit }),
      personalData: createPersonalData({ repo: auditorRepository, audit, accounts, applications, satisfactionOf: statistics.answerOf }),
    },
    /** the background queues; started by whichever thread runs them (server/background/) */
    background: {
      dispatcher, mailQueue, keyExpiryNotices: () => keys.sendExpiryNotices(),
      /** places audit entries in the tree and signs checkpoints, when AUDIT_TREE is on */
      sequencer: config.auditTree ? transparencyLog : undefined,
      /** moves request-log rows older than REQUEST_LOG_DAYS to DATA_DIR/request-log */
      archiveRequestLog: () => archiveRequestLog(db, path.join(config.dataDir, 'request-log'), new Date(Date.now() - config.requestLogDays * day)),
    },
  }
}

export type Services = ReturnType<typeof createServices>
