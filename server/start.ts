import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Logger } from 'pino'
import { progressBar } from './progressBar.js'
import type { Config } from './config.js'
import type { DatabaseHandle } from './db/database.js'
import { migrateToLatest } from './db/migrate.js'
import { generateSigningKey, parseSigningKey, type SigningKey } from './domain/audit/signedNote.js'
import { loadCatalogueSource, ManifestError, type CatalogueSource } from './domain/catalogue/manifest.js'
import { createResultSigner, generateResultKey, type ResultSigner } from './domain/results/resultKeys.js'
import type { AgencyHandler } from './domain/routing/handlerContract.js'
import { handlersDir, servicesDir } from './paths.js'
import type { Services } from './services.js'

/** Brings the database schema up to date, one starting process at a time. */
export async function migrate(database: DatabaseHandle, logger?: Logger): Promise<void> {
  const applied = await database.startingAlone(() => migrateToLatest(database))
  if (applied.length) logger?.info({ applied }, 'migrations applied')
}

/**
 * The key that signs the audit log's checkpoints: AUDIT_SIGNING_KEY (required in
 * production), else DATA_DIR/audit-signing-key, made on the first start. Its name is
 * the log's origin, `<host of PUBLIC_URL>/audit-log`. Every thread and instance on the
 * same DATA_DIR reads the same file; the first to make it wins ('wx').
 */
export function loadAuditKey(config: Pick<Config, 'auditSigningKey' | 'dataDir' | 'publicUrl'>): SigningKey {
  if (config.auditSigningKey) return parseSigningKey(config.auditSigningKey)
  const file = path.join(config.dataDir, 'audit-signing-key')
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true })
    const { text } = generateSigningKey(`${new URL(config.publicUrl).host}/audit-log`)
    try {
      writeFileSync(file, `${text}\n`, { mode: 0o600, flag: 'wx' })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
  return parseSigningKey(readFileSync(file, 'utf8'))
}

/** The key that signs result tokens: RESULT_SIGNING_KEY, or outside production one generated once into DATA_DIR. */
export function loadResultKey(config: Pick<Config, 'resultSigningKey' | 'resultVerifierKeys' | 'dataDir'>): ResultSigner {
  if (config.resultSigningKey) return createResultSigner(config.resultSigningKey, config.resultVerifierKeys)
  const file = path.join(config.dataDir, 'result-signing-key.json')
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true })
    try {
      writeFileSync(file, `${generateResultKey()}\n`, { mode: 0o600, flag: 'wx' })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
  return createResultSigner(readFileSync(file, 'utf8'), config.resultVerifierKeys)
}

export interface Agencies {
  /** the catalogue: life events, agency manifests and their forms, validated */
  source: CatalogueSource
  /** the in-process handlers, by agency id */
  handlers: Record<string, AgencyHandler>
}

const isHandler = (value: unknown): value is AgencyHandler =>
  typeof value === 'object' && value !== null && typeof (value as { handle?: unknown }).handle === 'function'

/**
 * Reads the agency folders (services/README.md): each folder's manifest and forms, and
 * its handler when it has one, found by convention as `<agency>/handler.ts` exporting
 * the handler as default. A handler in a folder without a manifest stops the start,
 * naming the file, rather than leaving an agency's applications to the officer console.
 */
export async function loadAgencies(dir = servicesDir, modulesDir = dir === servicesDir ? handlersDir : dir): Promise<Agencies> {
  const source = await loadCatalogueSource(dir)
  const byFolder = new Map(source.agencies.map((a) => [path.basename(path.dirname(a.file)), a.content.agency.id]))
  const handlers: Record<string, AgencyHandler> = {}
  for (const folder of source.folders) {
    const file = ['handler.js', 'handler.ts'].map((name) => path.join(modulesDir, folder, name)).find((f) => existsSync(f))
    if (!file) continue
    const agency = byFolder.get(folder)
    if (!agency) throw new ManifestError(`${file}: no manifest.json beside it names the agency this handler serves`)
    const module = await import(pathToFileURL(file).href) as { default?: unknown }
    if (!isHandler(module.default)) throw new ManifestError(`${file}: must export default an AgencyHandler (an object with handle(application, ctx))`)
    handlers[agency] = module.default
  }
  return { source, handlers }
}

/**
 * The rest of the web process's start, after the services are wired and before it
 * listens: the catalogue from the agency folders, the local business registry's demo
 * enterprises, the endpoints of AGENCY_ENDPOINTS, and outside production the demo
 * accounts (README).
 */
export async function seed(services: Services, config: Config, agencies: Agencies, logger: Logger, options = { demoAccounts: !config.production }) {
  if (config.seedCatalogue) {
    const loaded = await services.seeding.catalogue(agencies.source)
    if (loaded.length) logger.info({ files: loaded.length }, 'catalogue manifests loaded')
  }
  await services.seeding.demoEnterprises()
  const imported = await services.seeding.endpointsFromSettings()
  if (imported.length) logger.info({ agencies: imported }, 'agency endpoints imported from AGENCY_ENDPOINTS (marked as from settings)')
  if (options.demoAccounts) {
    const created = await services.seeding.demoAccounts()
    if (created) logger.info({ created }, 'demo accounts created (not in production; see README)')
  }
  // Never in production (config.demoHistory is false there), and only into a database with no application.
  if (options.demoAccounts && config.demoHistory) {
    const written = await services.seeding.demoHistory(progressBar('demo history (DEMO_HISTORY=off to skip)'))
    if (written) logger.info(written, 'a year of demo history written, for the statistics (not in production; see README)')
  }
}
