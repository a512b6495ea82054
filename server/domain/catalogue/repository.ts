// What the catalogue needs of storage; server/db/catalogueRepository.ts implements it.
import type { Tx } from '../ports.js'
import type { AgencyManifest, LifeEventManifest, ServiceManifest } from './manifest.js'
import type { Agency, Lang, LifeEvent, Service, ServiceSummary } from './types.js'

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
  /** The service with its life events and its entry in the search index. */
  writeService(tx: Tx, service: ServiceManifest, agency: AgencyManifest['agency']): Promise<void>
}
