// What the catalogue needs of storage; server/db/catalogueRepository.ts implements it.
import type { Tx } from '../ports.js'
import type { AgencyManifest, LifeEventManifest, ServiceManifest } from './manifest.js'
import type { SearchDocument } from './searchEngine.js'
import type { Agency, LifeEvent, Service, ServiceStatus, ServiceSummary } from './types.js'
import type { ServiceVersion, VersionState } from './serviceRegistration.js'

export interface ListFilter {
  agency?: string | undefined
  lifeEvent?: string | undefined
}

/** A query that found nothing, by its folded words alone: nothing of who typed it. */
export interface MissedSearch {
  query: string
  count: number
  firstAt: string
  lastAt: string
}

export interface CatalogueRepository {
  listLifeEvents(): Promise<LifeEvent[]>
  findLifeEvent(id: string): Promise<LifeEvent | undefined>
  listAgencies(): Promise<Array<Agency & { serviceCount: number }>>
  findAgency(id: string): Promise<Agency | undefined>
  findService(id: string): Promise<Service | undefined>
  listServices(filter: ListFilter, limit: number, offset: number): Promise<{ items: ServiceSummary[], total: number }>
  /** Every service in force as the search engine indexes it (./searchEngine.ts). */
  searchDocuments(): Promise<SearchDocument[]>
  /** The summaries of these services, in the order given. */
  summariesOf(ids: string[]): Promise<ServiceSummary[]>
  countMissedSearch(query: string, at: string): Promise<void>
  /** The most frequent queries that found nothing. */
  missedSearches(limit: number): Promise<MissedSearch[]>
  eachService(batchSize?: number): AsyncGenerator<Service>
  countServices(): Promise<number>
  /** Runs fn in one transaction; serialised across instances starting together. */
  inTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /** The checksum of a source file when it was last loaded. */
  seedChecksum(tx: Tx, source: string): Promise<string | undefined>
  recordSeed(tx: Tx, source: string, checksum: string): Promise<void>
  writeLifeEvents(tx: Tx, events: LifeEventManifest[]): Promise<void>
  writeAgency(tx: Tx, agency: AgencyManifest['agency']): Promise<void>
  /** The service with its life events and its entry in the search index; a manifest's version 1 unless told otherwise. */
  writeService(tx: Tx, service: ServiceManifest, agency: Pick<AgencyManifest['agency'], 'id' | 'name'>, release?: { version: number, origin: 'manifest' | 'agency' }): Promise<void>
  setServiceStatus(tx: Tx, serviceId: string, status: ServiceStatus): Promise<void>

  /** The versions agencies registered (server/domain/catalogue/serviceRegistration.ts). */
  serviceVersion(serviceId: string, version: number): Promise<ServiceVersion | undefined>
  versionsOf(serviceId: string): Promise<ServiceVersion[]>
  /** The newest version of each of an agency's registered services. */
  latestVersionsOfAgency(agencyId: string): Promise<ServiceVersion[]>
  versionsInState(state: VersionState): Promise<ServiceVersion[]>
  saveVersion(version: ServiceVersion, tx?: Tx): Promise<void>
  /** A counter every change of the catalogue's content moves on, read by each instance to drop what it cached. */
  changeCount(): Promise<number>
  countChange(tx: Tx): Promise<void>
}
