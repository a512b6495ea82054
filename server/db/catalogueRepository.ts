import type { ResultTemplate } from '../domain/results/model.js'
import { sql, type Selectable } from 'kysely'
import type { AgencyManifest, ServiceManifest } from '../domain/catalogue/manifest.js'
import type { CatalogueRepository, ListFilter } from '../domain/catalogue/repository.js'
import type { SearchDocument } from '../domain/catalogue/searchEngine.js'
import type { ServiceVersion } from '../domain/catalogue/serviceRegistration.js'
import { foldForIndex } from '../domain/catalogue/textFolding.js'
import { languages, type Agency, type Applicant, type LifeEvent, type Localized, type Service, type ServiceSummary } from '../domain/catalogue/types.js'
import type { FormDefinition } from '../domain/forms/formSchema.js'
import type { Db } from './database.js'
import type { AgencyTable, Dialect, LifeEventTable, ServiceTable, ServiceVersionTable } from './schema.js'
import { namesOf } from './rowMapping.js'
import { asTx, kyselyOf } from './unitOfWork.js'

type Row<T> = Selectable<T>
type Described = { description_vi: string, description_en: string, description_fr: string }

const descriptions = (r: Described): Localized => ({ vi: r.description_vi, en: r.description_en, fr: r.description_fr })

/** A note kept as JSON in three languages; one written before notes were translated reads the same in each. */
function noteOf(stored: string | null): Localized | null {
  if (!stored) return null
  if (stored.startsWith('{')) return JSON.parse(stored) as Localized
  return { vi: stored, en: stored, fr: stored }
}

function toAgency(r: Row<AgencyTable>): Agency {
  return { id: r.id, name: namesOf(r), description: descriptions(r), level: r.level, website: r.website, sourceNote: noteOf(r.source_note) }
}

function toLifeEvent(r: Row<LifeEventTable>): LifeEvent {
  return { id: r.id, name: namesOf(r), description: descriptions(r), position: r.position }
}

type SummaryRow = Row<ServiceTable> & { agency_name_vi: string, agency_name_en: string, agency_name_fr: string }
/** What a list of services shows: not the form, documents or templates a service page reads. */
type ListedRow = Pick<SummaryRow, 'id' | 'name_vi' | 'name_en' | 'name_fr' | 'description_vi' | 'description_en' | 'description_fr' | 'agency_id'
  | 'agency_name_vi' | 'agency_name_en' | 'agency_name_fr' | 'fee_vnd' | 'processing_days' | 'online_level' | 'applicants' | 'popularity'>
  & { applies_online: number | boolean }

const catalogueChanges = 'catalogue:changes'

function toVersion(r: Row<ServiceVersionTable>): ServiceVersion {
  return {
    serviceId: r.service_id, version: Number(r.version), agencyId: r.agency_id, state: r.state, content: JSON.parse(r.content) as ServiceManifest,
    createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at, submittedBy: r.submitted_by, submittedAt: r.submitted_at,
    reviewedBy: r.reviewed_by, reviewedAt: r.reviewed_at, reviewNote: r.review_note,
  }
}

function toSummary(r: ListedRow | SummaryRow): ServiceSummary {
  return {
    id: r.id,
    name: namesOf(r),
    description: descriptions(r),
    agency: { id: r.agency_id, name: { vi: r.agency_name_vi, en: r.agency_name_en, fr: r.agency_name_fr } },
    feeVnd: r.fee_vnd === null ? null : Number(r.fee_vnd),
    processingDays: r.processing_days === null ? null : Number(r.processing_days),
    onlineLevel: r.online_level,
    applicants: r.applicants.split(',') as Applicant[],
    popularity: Number(r.popularity),
    appliesOnline: 'form' in r ? r.form !== null : Boolean(r.applies_online),
  }
}

function toService(r: SummaryRow, lifeEvents: string[]): Service {
  return {
    ...toSummary(r),
    code: r.code,
    documents: JSON.parse(r.documents) as Localized[],
    feeNote: r.fee_note ? (JSON.parse(r.fee_note) as Localized) : null,
    lifeEvents,
    legalBasis: r.legal_basis,
    sourceNote: noteOf(r.source_note),
    updatedAt: r.updated_at,
    form: r.form ? (JSON.parse(r.form) as FormDefinition) : null,
    status: r.status, version: Number(r.version), origin: r.origin,
    resultTemplate: r.result_template ? JSON.parse(r.result_template) as ResultTemplate : null,
  }
}

interface ServiceRecord {
  service: Omit<Row<ServiceTable>, 'updated_at'>
  lifeEvents: string[]
  search: { title_vi: string, title_en: string, title_fr: string, body: string }
}

/** Which version of a service is written, and by whom it is managed. */
export interface Release { version: number, origin: 'manifest' | 'agency' }

function serviceRecord(service: ServiceManifest, agency: Pick<AgencyManifest['agency'], 'id' | 'name'>, release: Release): ServiceRecord {
  return {
    service: {
      id: service.id, status: 'active', version: release.version, origin: release.origin,
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
      result_template: service.result ? JSON.stringify(service.result) : null,
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

export function createCatalogueRepository(db: Db, dialect: Dialect): CatalogueRepository {
  const selectSummary = sql`s.*, a.name_vi as agency_name_vi, a.name_en as agency_name_en, a.name_fr as agency_name_fr`
  const selectListed = sql`s.id, s.name_vi, s.name_en, s.name_fr, s.description_vi, s.description_en, s.description_fr, s.agency_id,
    a.name_vi as agency_name_vi, a.name_en as agency_name_en, a.name_fr as agency_name_fr, s.fee_vnd, s.processing_days, s.online_level,
    s.applicants, s.popularity, s.form is not null as applies_online`

  function filterSql(filter: ListFilter) {
    // Only services in force are listed and found; a suspended or retired one keeps its page for its applications.
    const parts = [sql`s.status = 'active'`]
    if (filter.agency) parts.push(sql`s.agency_id = ${filter.agency}`)
    if (filter.lifeEvent) {
      parts.push(sql`exists (select 1 from service_life_events e where e.service_id = s.id and e.life_event_id = ${filter.lifeEvent})`)
    }
    return sql.join(parts, sql` and `)
  }

  async function lifeEventsOf(serviceId: string): Promise<string[]> {
    const rows = await db.selectFrom('service_life_events').select('life_event_id')
      .where('service_id', '=', serviceId).orderBy('life_event_id').execute()
    return rows.map((r) => r.life_event_id)
  }

  return {
    async listLifeEvents(): Promise<LifeEvent[]> {
      const rows = await db.selectFrom('life_events').selectAll().orderBy('position').orderBy('id').execute()
      return rows.map(toLifeEvent)
    },

    async findLifeEvent(id: string): Promise<LifeEvent | undefined> {
      const row = await db.selectFrom('life_events').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toLifeEvent(row)
    },

    async listAgencies(): Promise<Array<Agency & { serviceCount: number }>> {
      const rows = await db.selectFrom('agencies as a')
        .selectAll('a')
        .select((eb) => eb.selectFrom('services as s').whereRef('s.agency_id', '=', 'a.id')
          .select((e) => e.fn.countAll<number>().as('n')).as('service_count'))
        .orderBy('a.name_vi').execute()
      return rows.map((r) => ({ ...toAgency(r), serviceCount: Number(r.service_count ?? 0) }))
    },

    async findAgency(id: string): Promise<Agency | undefined> {
      const row = await db.selectFrom('agencies').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toAgency(row)
    },

    async findService(id: string): Promise<Service | undefined> {
      const { rows } = await sql<SummaryRow>`select ${selectSummary} from services s
        join agencies a on a.id = s.agency_id where s.id = ${id}`.execute(db)
      const row = rows[0]
      return row && toService(row, await lifeEventsOf(row.id))
    },

    /** Services in popularity order, optionally of one agency or life event. */
    async listServices(filter: ListFilter, limit: number, offset: number): Promise<{ items: ServiceSummary[], total: number }> {
      const where = filterSql(filter)
      const { rows } = await sql<ListedRow>`select ${selectListed} from services s
        join agencies a on a.id = s.agency_id where ${where}
        order by s.popularity desc, s.name_vi, s.id limit ${limit} offset ${offset}`.execute(db)
      const count = await sql<{ n: number }>`select count(*) as n from services s where ${where}`.execute(db)
      return { items: rows.map(toSummary), total: Number(count.rows[0]?.n ?? 0) }
    },

    async searchDocuments(): Promise<SearchDocument[]> {
      const rows = await sql<{ id: string, agency_id: string, popularity: number, title_vi: string, title_en: string, title_fr: string, body: string }>`
        select s.id, s.agency_id, s.popularity, d.title_vi, d.title_en, d.title_fr, d.body
        from search_documents d join services s on s.id = d.service_id where s.status = 'active' order by s.id`.execute(db)
      const events = new Map<string, string[]>()
      for (const e of await db.selectFrom('service_life_events').select(['service_id', 'life_event_id']).execute()) {
        events.set(e.service_id, [...(events.get(e.service_id) ?? []), e.life_event_id])
      }
      return rows.rows.map((r) => ({
        id: r.id, agencyId: r.agency_id, popularity: Number(r.popularity), lifeEvents: events.get(r.id) ?? [],
        title: { vi: r.title_vi, en: r.title_en, fr: r.title_fr }, body: r.body,
      }))
    },

    async summariesOf(ids) {
      if (ids.length === 0) return []
      const { rows } = await sql<ListedRow>`select ${selectListed} from services s
        join agencies a on a.id = s.agency_id where s.id in (${sql.join(ids)})`.execute(db)
      const byId = new Map(rows.map((r) => [r.id, toSummary(r)]))
      return ids.flatMap((id) => byId.get(id) ?? [])
    },

    async countMissedSearch(query, at) {
      await db.insertInto('search_misses').values({ query, count: 1, first_at: at, last_at: at })
        .onConflict((oc) => oc.column('query').doUpdateSet({ count: sql`search_misses.count + 1`, last_at: at })).execute()
    },

    async missedSearches(limit) {
      const rows = await db.selectFrom('search_misses').selectAll().orderBy('count', 'desc').orderBy('query').limit(limit).execute()
      return rows.map((r) => ({ query: r.query, count: Number(r.count), firstAt: r.first_at, lastAt: r.last_at }))
    },

    /** Every service in id order, a batch at a time, for the open-data downloads. */
    async* eachService(batchSize = 500): AsyncGenerator<Service> {
      let after = ''
      for (;;) {
        const { rows } = await sql<SummaryRow>`select ${selectSummary} from services s
          join agencies a on a.id = s.agency_id where s.id > ${after} and s.status = 'active' order by s.id limit ${batchSize}`.execute(db)
        if (rows.length === 0) return
        const events = await db.selectFrom('service_life_events').select(['service_id', 'life_event_id'])
          .where('service_id', 'in', rows.map((r) => r.id)).orderBy('life_event_id').execute()
        for (const row of rows) {
          yield toService(row, events.filter((e) => e.service_id === row.id).map((e) => e.life_event_id))
        }
        after = rows[rows.length - 1]!.id
      }
    },

    async countServices(): Promise<number> {
      const row = await db.selectFrom('services').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirst()
      return Number(row?.n ?? 0)
    },

    async seedChecksum(tx, source) {
      const row = await kyselyOf(tx).selectFrom('catalogue_seeds').select('checksum').where('source', '=', source).executeTakeFirst()
      return row?.checksum
    },

    /** Runs fn in one transaction; on PostgreSQL, serialised across instances starting together. */
    async inTransaction(fn) {
      return db.transaction().execute(async (trx) => {
        if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext('catalogue_seed'))`.execute(trx)
        return fn(asTx(trx))
      })
    },

    async recordSeed(tx, source, checksum) {
      const loadedAt = new Date().toISOString()
      await kyselyOf(tx).insertInto('catalogue_seeds').values({ source, checksum, loaded_at: loadedAt })
        .onConflict((oc) => oc.column('source').doUpdateSet({ checksum, loaded_at: loadedAt })).execute()
    },

    async writeLifeEvents(tx, events) {
      for (const [position, e] of events.entries()) {
        const row: Row<LifeEventTable> = {
          id: e.id, position, name_vi: e.name.vi, name_en: e.name.en, name_fr: e.name.fr,
          description_vi: e.description.vi, description_en: e.description.en, description_fr: e.description.fr,
        }
        const { id: _id, ...rest } = row
        await kyselyOf(tx).insertInto('life_events').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute()
      }
    },

    async writeAgency(tx, a) {
      const row: Row<AgencyTable> = {
        id: a.id, level: a.level, website: a.website ?? null, source_note: a.sourceNote ? JSON.stringify(a.sourceNote) : null,
        name_vi: a.name.vi, name_en: a.name.en, name_fr: a.name.fr,
        description_vi: a.description.vi, description_en: a.description.en, description_fr: a.description.fr,
      }
      const { id: _id, ...rest } = row
      await kyselyOf(tx).insertInto('agencies').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute()
    },

    async setServiceStatus(tx, serviceId, status) {
      await kyselyOf(tx).updateTable('services').set({ status, updated_at: new Date().toISOString() }).where('id', '=', serviceId).execute()
    },

    serviceVersion: async (serviceId, version) => {
      const row = await db.selectFrom('service_versions').selectAll().where('service_id', '=', serviceId).where('version', '=', version).executeTakeFirst()
      return row && toVersion(row)
    },
    versionsOf: async (serviceId) => (await db.selectFrom('service_versions').selectAll().where('service_id', '=', serviceId)
      .orderBy('version', 'desc').execute()).map(toVersion),
    latestVersionsOfAgency: async (agencyId) => (await db.selectFrom('service_versions as v').selectAll('v').where('v.agency_id', '=', agencyId)
      .where((eb) => eb('v.version', '=', eb.selectFrom('service_versions as w').select((e) => e.fn.max('w.version').as('m')).whereRef('w.service_id', '=', 'v.service_id')))
      .orderBy('v.service_id').execute()).map(toVersion),
    versionsInState: async (state) => (await db.selectFrom('service_versions').selectAll().where('state', '=', state)
      .orderBy('submitted_at').orderBy('service_id').execute()).map(toVersion),
    async saveVersion(v, tx) {
      const row = {
        service_id: v.serviceId, version: v.version, agency_id: v.agencyId, state: v.state, content: JSON.stringify(v.content),
        created_by: v.createdBy, created_at: v.createdAt, updated_at: v.updatedAt, submitted_by: v.submittedBy, submitted_at: v.submittedAt,
        reviewed_by: v.reviewedBy, reviewed_at: v.reviewedAt, review_note: v.reviewNote,
      }
      const { service_id: _s, version: _v, ...rest } = row
      await (tx ? kyselyOf(tx) : db).insertInto('service_versions').values(row)
        .onConflict((oc) => oc.columns(['service_id', 'version']).doUpdateSet(rest)).execute()
    },
    changeCount: async () => Number((await db.selectFrom('counters').select('value').where('name', '=', catalogueChanges).executeTakeFirst())?.value ?? 0),
    async countChange(tx) {
      await sql`insert into counters (name, value) values (${catalogueChanges}, 1)
        on conflict (name) do update set value = counters.value + 1`.execute(kyselyOf(tx))
    },

    async writeService(tx, service, agency, release = { version: 1, origin: 'manifest' }) {
      const trx = kyselyOf(tx)
      const record = serviceRecord(service, agency, release)
      const row = { ...record.service, updated_at: new Date().toISOString() }
      const { id, ...rest } = row
      await trx.insertInto('services').values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute()
      await trx.deleteFrom('service_life_events').where('service_id', '=', id).execute()
      if (record.lifeEvents.length) {
        await trx.insertInto('service_life_events')
          .values(record.lifeEvents.map((e) => ({ service_id: id, life_event_id: e }))).execute()
      }
      await trx.insertInto('search_documents').values({ service_id: id, ...record.search })
        .onConflict((oc) => oc.column('service_id').doUpdateSet(record.search)).execute()
    },
  }
}
