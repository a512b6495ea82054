export interface AgencyTable {
  id: string
  name_vi: string
  name_en: string
  name_fr: string
  description_vi: string
  description_en: string
  description_fr: string
  level: string
  website: string | null
  source_note: string | null
}

export interface LifeEventTable {
  id: string
  name_vi: string
  name_en: string
  name_fr: string
  description_vi: string
  description_en: string
  description_fr: string
  position: number
}

export interface ServiceTable {
  id: string
  agency_id: string
  code: string | null
  name_vi: string
  name_en: string
  name_fr: string
  description_vi: string
  description_en: string
  description_fr: string
  /** JSON: [{ vi, en, fr }] */
  documents: string
  /** VND; null when the fee depends on the case (see fee_note) */
  fee_vnd: number | null
  /** JSON: { vi, en, fr } or null */
  fee_note: string | null
  processing_days: number | null
  online_level: 'full' | 'partial'
  /** comma-separated: citizen, business */
  applicants: string
  popularity: number
  legal_basis: string | null
  source_note: string | null
  updated_at: string
}

export interface ServiceLifeEventTable {
  service_id: string
  life_event_id: string
}

/** Folded (lower-case, no diacritics, đ → d) text that search matches against. */
export interface ServiceSearchTable {
  service_id: string
  title_vi: string
  title_en: string
  title_fr: string
  body: string
}

export interface CatalogueSeedTable {
  source: string
  checksum: string
  loaded_at: string
}

export interface Database {
  agencies: AgencyTable
  life_events: LifeEventTable
  services: ServiceTable
  service_life_events: ServiceLifeEventTable
  service_search: ServiceSearchTable
  catalogue_seeds: CatalogueSeedTable
}

export type Dialect = 'sqlite' | 'postgres'

