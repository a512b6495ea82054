import type { Transaction } from 'kysely'
import type { CatalogueRepository, ServiceRecord } from '../../db/catalogueRepository.js'
import type { Database } from '../../db/schema.js'
import type { AgencyManifest, CatalogueSource, LifeEventManifest, ServiceManifest } from './manifest.js'
import { foldForIndex } from './textFolding.js'
import { languages } from './types.js'

export function serviceRecord(service: ServiceManifest, agency: AgencyManifest['agency']): ServiceRecord {
  return {
    service: {
      id: service.id,
      agency_id: agency.id,
      code: service.code ?? null,
      name_vi: service.name.vi, name_en: service.name.en, name_fr: service.name.fr,
      description_vi: service.description.vi, description_en: service.description.en, description_fr: service.description.fr,
      documents: JSON.stringify(service.documents),
      fee_vnd: service.fee.vnd,
      fee_note: service.fee.note ? JSON.stringify(service.fee.note) : null,
      processing_days: service.processingDays,
      online_level: service.onlineLevel,
      applicants: service.applicants.join(','),
      popularity: service.popularity,
      legal_basis: service.legalBasis ?? null,
      source_note: service.sourceNote ? JSON.stringify(service.sourceNote) : null,
      form: service.form ? JSON.stringify(service.form) : null,
    },
    lifeEvents: service.lifeEvents,
    search: {
      title_vi: foldForIndex(service.name.vi),
      title_en: foldForIndex(service.name.en),
      title_fr: foldForIndex(service.name.fr),
      body: foldForIndex(
        ...languages.map((l) => service.description[l]),
        ...service.documents.flatMap((d) => languages.map((l) => d[l])),
        ...languages.map((l) => agency.name[l]),
        service.code,
      ),
    },
  }
}

async function writeLifeEvents(repo: CatalogueRepository, trx: Transaction<Database>, events: LifeEventManifest[]) {
  for (const [position, e] of events.entries()) {
    await repo.upsertLifeEvent(trx, {
      id: e.id, position,
      name_vi: e.name.vi, name_en: e.name.en, name_fr: e.name.fr,
      description_vi: e.description.vi, description_en: e.description.en, description_fr: e.description.fr,
    })
  }
}

export async function writeAgency(repo: CatalogueRepository, trx: Transaction<Database>, manifest: AgencyManifest) {
  const a = manifest.agency
  await repo.upsertAgency(trx, {
    id: a.id, level: a.level, website: a.website ?? null, source_note: a.sourceNote ? JSON.stringify(a.sourceNote) : null,
    name_vi: a.name.vi, name_en: a.name.en, name_fr: a.name.fr,
    description_vi: a.description.vi, description_en: a.description.en, description_fr: a.description.fr,
  })
  for (const service of manifest.services) await repo.upsertService(trx, serviceRecord(service, a))
}

/**
 * Loads the manifests into the database. The database is the source of truth at run
 * time, so a manifest is written again only when its file changed since the last load.
 * Returns the files that were loaded.
 */
export async function seedCatalogue(repo: CatalogueRepository, source: CatalogueSource): Promise<string[]> {
  return repo.inTransaction(async (trx) => {
    const loaded: string[] = []
    const lifeEventsKey = 'life-events'
    if (await repo.seedChecksum(trx, lifeEventsKey) !== source.lifeEvents.checksum) {
      await writeLifeEvents(repo, trx, source.lifeEvents.content)
      await repo.recordSeed(trx, lifeEventsKey, source.lifeEvents.checksum)
      loaded.push(source.lifeEvents.file)
    }
    for (const manifest of source.agencies) {
      const key = `agency:${manifest.content.agency.id}`
      if (await repo.seedChecksum(trx, key) === manifest.checksum) continue
      await writeAgency(repo, trx, manifest.content)
      await repo.recordSeed(trx, key, manifest.checksum)
      loaded.push(manifest.file)
    }
    return loaded
  })
}

/** Writes services that have no manifest (npm run seed:scale's generated ones); returns how many services the catalogue holds. */
export async function seedExtraServices(repo: CatalogueRepository, entries: Array<{ service: ServiceManifest, agency: AgencyManifest['agency'] }>): Promise<number> {
  await repo.inTransaction(async (trx) => {
    for (const { service, agency } of entries) await repo.upsertService(trx, serviceRecord(service, agency))
  })
  return repo.countServices()
}
