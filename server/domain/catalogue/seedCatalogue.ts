import type { AgencyManifest, CatalogueSource, ServiceManifest } from './manifest.js'
import type { CatalogueRepository } from './repository.js'

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
      await repo.writeLifeEvents(trx, source.lifeEvents.content)
      await repo.recordSeed(trx, lifeEventsKey, source.lifeEvents.checksum)
      loaded.push(source.lifeEvents.file)
    }
    for (const manifest of source.agencies) {
      const key = `agency:${manifest.content.agency.id}`
      if (await repo.seedChecksum(trx, key) === manifest.checksum) continue
      await repo.writeAgency(trx, manifest.content.agency)
      for (const service of manifest.content.services) await repo.writeService(trx, service, manifest.content.agency)
      await repo.recordSeed(trx, key, manifest.checksum)
      loaded.push(manifest.file)
    }
    return loaded
  })
}

/** Writes services that have no manifest (npm run seed:scale's generated ones); returns how many services the catalogue holds. */
export async function seedExtraServices(repo: CatalogueRepository, entries: Array<{ service: ServiceManifest, agency: AgencyManifest['agency'] }>): Promise<number> {
  await repo.inTransaction(async (trx) => {
    for (const { service, agency } of entries) await repo.writeService(trx, service, agency)
  })
  return repo.countServices()
}
