// What the catalogue needs of storage; server/db/catalogueRepository.ts implements it.
import type { Tx } from '../ports.js'
import type { AgencyManifest, LifeEventManifest, ServiceManifest } from './manifest.js'
import type { Agency, Lang, LifeEvent, Service, ServiceStatus, ServiceSummary } from './types.js'
import type { ServiceVersion, VersionState } from './serviceRegistration.js'

export interface ListFilter {
  agency?: string | undefined
  lifeEvent?: string | undefined
}

export interface SearchFilter extends ListFilter {
  /** the query's words, folded (no case, no tone marks) */
  tokens: string[]
  lang: Lang
}

export interface CatalogueRepository {
  listLifeEvents(): Promise<LifeEvent[]>
  findLifeEvent(id: string): Promise<LifeEvent | undefined>
  listAgencies(): Promise<Array<Agency & { serviceCount: number }>>
  findAgency(id: string): Promise<Agency | undefined>
  findService(id: string): Promise<Service | undefined>
  listServices(filter: ListFilter, limit: number, offset: number): Promise<{ items: ServiceSummary[], total: number }>
  /** Ranked full-text search (FTS5 on SQLite, tsvector on PostgreSQL). */
  search(filter: SearchFilter, limit: number, offset: number): Promise<{ items: ServiceSummary[], total: number }>
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
