import type { Insertable, Selectable } from 'kysely'
import { sql } from 'kysely'
import type { Answers } from '../domain/forms/formEngine.js'
import type {
  AgencyInboxRow, Application, ApplicationDocument, ApplicationEvent, ApplicationStatus, ApplicationSummary, DeliveryAttempt, InboxMessage, NewEvent,
  StuckDelivery, Submission,
} from '../domain/applications/model.js'
import type { ApplicationRepository, NewDocument, NewDraft } from '../domain/applications/repository.js'
import type { Tx } from '../domain/ports.js'
import { createCommitBatcher } from './commitBatcher.js'
import { isUniqueViolation, type Db } from './database.js'
import { prepared } from './prepared.js'
import { camelize, namesOf } from './rowMapping.js'
import { newRowId } from './rowIds.js'
import type { ApplicationEventTable, ApplicationTable, Dialect, DocumentTable } from './schema.js'
import { kyselyOf } from './unitOfWork.js'

type ApplicationRow = Selectable<ApplicationTable>

// Read for every step of an application: an object literal of one shape, not a loop over keys.
const toApplication = (r: ApplicationRow): Application => ({
  id: r.id, reference: r.reference, serviceId: r.service_id, agencyId: r.agency_id, applicantId: r.applicant_id,
  onBehalfOf: r.on_behalf_of, onBehalfOfName: r.on_behalf_of_name, status: r.status,
  answers: JSON.parse(r.answers) as Answers, profile: r.profile ? JSON.parse(r.profile) as Record<string, string> : null,
  currentPage: r.current_page, applicantBirthdate: r.applicant_birthdate, statusCodeHash: r.status_code_hash,
  assuranceLevel: r.assurance_level === null ? null : Number(r.assurance_level), agencyReference: r.agency_reference,
  createdAt: r.created_at, updatedAt: r.updated_at, submittedAt: r.submitted_at, decidedAt: r.decided_at,
  serviceVersion: r.service_version === null ? null : Number(r.service_version),
  dueOn: r.due_on, clockStoppedOn: r.clock_stopped_on, assignedTo: r.assigned_to,
})
const toDocument = (row: Selectable<DocumentTable>): ApplicationDocument => ({ ...camelize(row), size: Number(row.size) })
const toEvent = (row: Selectable<ApplicationEventTable>): ApplicationEvent => ({ ...camelize(row), id: Number(row.id), kind: row.kind === 'apology' ? 'apology' : null })

// The statements of every submission and delivery, compiled once (server/db/prepared.ts).
const insertEvent = prepared((db, e: Insertable<ApplicationEventTable>) => db.insertInto('application_events').values({
  application_id: e.application_id, at: e.at, actor_id: e.actor_id, actor_kind: e.actor_kind,
  from_status: e.from_status, to_status: e.to_status, message: e.message, note: e.note, kind: e.kind, new_due_on: e.new_due_on,
}), { deferred: true })
const insertOutbox = prepared((db, o: { id: string, application_id: string, agency_id: string, next_attempt_at: number, created_at: string }) => db.insertInto('outbox').values({
  id: o.id, application_id: o.application_id, agency_id: o.agency_id, status: 'pending', attempts: 0,
  next_attempt_at: o.next_attempt_at, lease_owner: null, lease_until: null, last_error: null, created_at: o.created_at, delivered_at: null,
}), { deferred: true })
const insertNotification = prepared((db, n: { user_id: string, application_id: string, at: string, status: ApplicationStatus, message: string | null }) =>
  db.insertInto('notifications').values({ user_id: n.user_id, application_id: n.application_id, at: n.at, status: n.status, message: n.message, read_at: null }), { deferred: true })
// At submission, for each question that no longer applies: one statement, compiled once.
const deleteFieldDocuments = prepared((db, a: { application_id: string, field_id: string }) =>
  db.deleteFrom('documents').where('application_id', '=', a.application_id).where('field_id', '=', a.field_id), { deferred: true })
const selectByReference = prepared((db, a: { reference: string }) => db.selectFrom('applications').selectAll().where('reference', '=', a.reference))
// Read with every application an agency's system or officer opens: compiled once.
const selectDocuments = prepared((db, a: { application_id: string }) => db.selectFrom('documents').selectAll()
  .where('application_id', '=', a.application_id).orderBy('created_at'))
const selectProcessingDays = prepared((db, a: { id: string }) => db.selectFrom('services').select('processing_days').where('id', '=', a.id))

/** What a status change may set besides the status: each left undefined stays as it was. */
type StatusColumns = Partial<Pick<ApplicationRow, 'decided_at' | 'agency_reference' | 'due_on' | 'clock_stopped_on'>>
type StatusChange = StatusColumns & { id: string, from: ApplicationStatus, to: ApplicationStatus, updated_at: string }
const statusColumns = ['decided_at', 'agency_reference', 'due_on', 'clock_stopped_on'] as const
// One compiled statement for each set of columns a change sets (sixteen at most, made when first needed).
const statusUpdate = (setting: ReadonlyArray<typeof statusColumns[number]>) => prepared((db, a: StatusChange) => db.updateTable('applications')
  .set({ ...Object.fromEntries(setting.map((c) => [c, a[c]])), status: a.to, updated_at: a.updated_at })
  .where('id', '=', a.id).where('status', '=', a.from))
const statusUpdates = new Map<string, ReturnType<typeof statusUpdate>>()
function updateStatusWith(columns: StatusColumns) {
  const setting = statusColumns.filter((c) => columns[c] !== undefined)
  const key = setting.join()
  const known = statusUpdates.get(key)
  if (known) return known
  const update = statusUpdate(setting)
  statusUpdates.set(key, update)
  return update
}
type SubmittedColumns = Pick<ApplicationRow, 'answers' | 'profile' | 'submitted_at' | 'current_page' | 'applicant_birthdate' | 'status_code_hash' | 'assurance_level'>
const updateSubmitted = prepared((db, a: SubmittedColumns & { id: string, updated_at: string }) => db.updateTable('applications').set({
  answers: a.answers, profile: a.profile, submitted_at: a.submitted_at, current_page: a.current_page, applicant_birthdate: a.applicant_birthdate,
  status_code_hash: a.status_code_hash, assurance_level: a.assurance_level, status: 'submitted', updated_at: a.updated_at,
}).where('id', '=', a.id).where('status', '=', 'draft'))

/**
 * `clock`: the time every row is stamped with; the real clock but in tests that cross a
 * calendar. `commitLingerMs`: how long the group commit waits for more work (commitBatcher.ts).
 */
export function createApplicationRepository(db: Db, dialect: Dialect = 'sqlite', clock?: () => Date, commitLingerMs = 0): ApplicationRepository {
  const now = clock ? () => clock().toISOString() : () => new Date().toISOString()

  async function addEvent(tx: Tx, event: NewEvent, at = now()): Promise<void> {
    await insertEvent(kyselyOf(tx), {
      application_id: event.applicationId, at, actor_id: event.actorId, actor_kind: event.actorKind,
      from_status: event.from, to_status: event.to, message: event.message ?? null, note: event.note ?? null,
      kind: event.kind ?? null, new_due_on: event.newDueOn ?? null,
    })
  }

  const batcher = createCommitBatcher(db, { dialect, lingerMs: commitLingerMs })
  return {
    addEvent,
    /** Runs writes in a group-committed transaction (server/db/commitBatcher.ts). */
    commit: (work) => batcher.run((trx) => work(trx as unknown as Tx)),
    commitOne: (work) => batcher.run((trx) => work(trx as unknown as Tx), true),

    /**
     * A new draft under a fresh reference. References have 35 random bits a month: at a
     * million applications a month a few collide, so a taken reference is drawn again.
     */
    async createDraft(draft: NewDraft, newReference: () => string): Promise<Application> {
      for (let attempt = 1; ; attempt++) {
        const at = now()
        const full: ApplicationRow = {
          id: newRowId(), status: 'draft', created_at: at, updated_at: at, reference: newReference(),
          service_id: draft.serviceId, agency_id: draft.agencyId, applicant_id: draft.applicantId, on_behalf_of: draft.onBehalfOf,
          on_behalf_of_name: draft.onBehalfOfName, answers: JSON.stringify(draft.answers), current_page: draft.currentPage,
          profile: null, applicant_birthdate: null, status_code_hash: null, assurance_level: null, agency_reference: null,
          submitted_at: null, decided_at: null, service_version: draft.serviceVersion, due_on: null, clock_stopped_on: null, assigned_to: null,
        }
        try {
          await db.insertInto('applications').values(full).execute()
          return toApplication(full)
        } catch (error) {
          if (attempt >= 5 || !isUniqueViolation(error)) throw error
        }
      }
    },

    async byReference(reference) {
      const row = (await selectByReference(db, { reference })).rows[0]
      return row && toApplication(row)
    },
    async byId(id) {
      const row = await db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toApplication(row)
    },
    byIds: async (ids) => (await db.selectFrom('applications').selectAll().where('id', 'in', ids).execute()).map(toApplication),

    /** The person's open draft of a service (as themselves or for one business). */
    async openDraft(applicantId, serviceId, onBehalfOf) {
      const q = db.selectFrom('applications').selectAll()
        .where('applicant_id', '=', applicantId).where('service_id', '=', serviceId).where('status', '=', 'draft')
      const row = await (onBehalfOf ? q.where('on_behalf_of', '=', onBehalfOf) : q.where('on_behalf_of', 'is', null))
        .orderBy('updated_at', 'desc').executeTakeFirst()
      return row && toApplication(row)
    },

    listFor: async (applicantId): Promise<ApplicationSummary[]> => (await db.selectFrom('applications')
      .innerJoin('services', 'services.id', 'applications.service_id')
      .select(['applications.reference', 'applications.status', 'applications.updated_at', 'applications.submitted_at', 'applications.on_behalf_of_name',
        'applications.current_page', 'services.id as service_id', 'services.name_vi', 'services.name_en', 'services.name_fr'])
      .where('applicant_id', '=', applicantId).orderBy('applications.updated_at', 'desc').limit(200).execute())
      .map(({ reference, status, updated_at, submitted_at, on_behalf_of_name, current_page, service_id, ...name }) => ({
        reference, status, updatedAt: updated_at, submittedAt: submitted_at, onBehalfOfName: on_behalf_of_name, currentPage: current_page,
        serviceId: service_id, serviceName: namesOf(name),
      })),

    /**
     * The agency's applications with their applicant and who acted last, oldest first
     * (the first due first); drafts are the applicant's alone.
     */
    async forAgency(agencyId, filter) {
      let base = db.selectFrom('applications')
        .innerJoin('services', 'services.id', 'applications.service_id')
        .innerJoin('users', 'users.id', 'applications.applicant_id')
        .where('applications.agency_id', '=', agencyId).where('applications.status', '!=', 'draft')
      if (filter.status) base = base.where('applications.status', '=', filter.status as never)
      if (filter.serviceId) base = base.where('applications.service_id', '=', filter.serviceId)
      if (filter.assignedTo) base = base.where('applications.assigned_to', '=', filter.assignedTo)
      if (filter.reference) base = base.where('applications.reference', '=', filter.reference)
      if (filter.name) base = base.where('users.folded_name', 'like', `%${filter.name.replace(/[%_\\]/g, '')}%`)
      if (filter.due) {
        const { today, soon } = filter
        base = base.where('applications.status', 'not in', ['approved', 'rejected', 'withdrawn']).where('applications.due_on', 'is not', null)
        base = filter.due === 'paused'
          ? base.where('applications.clock_stopped_on', 'is not', null)
          : base.where('applications.clock_stopped_on', 'is', null).where((eb) => (filter.due === 'overdue'
              ? eb('applications.due_on', '<', today)
              : filter.due === 'dueSoon' ? eb.and([eb('applications.due_on', '>=', today), eb('applications.due_on', '<=', soon)]) : eb('applications.due_on', '>', soon)))
      }
      const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
      const rows = await base.leftJoin('users as officer', 'officer.id', 'applications.assigned_to')
        .select((eb) => ['applications.reference', 'applications.status', 'applications.submitted_at', 'applications.updated_at', 'applications.on_behalf_of_name',
          'applications.due_on', 'applications.clock_stopped_on', 'applications.decided_at', 'applications.assigned_to', 'officer.full_name as assigned_name',
          'services.name_vi', 'services.name_en', 'services.name_fr', 'services.processing_days', 'users.full_name as applicant_name',
          eb.selectFrom('application_events as e').select('e.actor_kind').whereRef('e.application_id', '=', 'applications.id')
            .orderBy('e.id', 'desc').limit(1).as('last_actor')])
        // The soonest due first; those with no due date (not received yet, or decided long ago) after, oldest first.
        .orderBy(sql`case when applications.due_on is null then 1 else 0 end`).orderBy('applications.due_on').orderBy('applications.submitted_at')
        .limit(filter.pageSize).offset((filter.page - 1) * filter.pageSize).execute()
      return {
        total,
        rows: rows.map((r): AgencyInboxRow => ({
          reference: r.reference, status: r.status, submittedAt: r.submitted_at, updatedAt: r.updated_at, onBehalfOfName: r.on_behalf_of_name,
          serviceName: namesOf(r), processingDays: r.processing_days === null ? null : Number(r.processing_days),
          applicantName: r.applicant_name, lastActor: r.last_actor ?? null, dueOn: r.due_on, clockStoppedOn: r.clock_stopped_on,
          decidedAt: r.decided_at, assignedTo: r.assigned_to, assignedName: r.assigned_name ?? null,
        })),
      }
    },

    async processingDays(tx, serviceId) {
      const { rows: [row] } = await selectProcessingDays(kyselyOf(tx), { id: serviceId })
      return row?.processing_days === null || row?.processing_days === undefined ? null : Number(row.processing_days)
    },
    async processingDaysOf(serviceIds) {
      if (!serviceIds.length) return new Map()
      const rows = await db.selectFrom('services').select(['id', 'processing_days']).where('id', 'in', serviceIds).execute()
      return new Map(rows.map((r) => [r.id, r.processing_days === null ? null : Number(r.processing_days)]))
    },
    async setDue(tx, id, dueOn) {
      await kyselyOf(tx).updateTable('applications').set({ due_on: dueOn, updated_at: now() }).where('id', '=', id).execute()
    },
    async assign(tx, id, userId) {
      await kyselyOf(tx).updateTable('applications').set({ assigned_to: userId, updated_at: now() }).where('id', '=', id).execute()
    },

    async pageForAgency(agencyId, page) {
      let q = db.selectFrom('applications').selectAll().where('agency_id', '=', agencyId).where('status', '!=', 'draft')
      if (page.status) q = q.where('status', '=', page.status)
      if (page.updatedSince) q = q.where('updated_at', '>=', page.updatedSince)
      const after = page.after
      if (after) q = q.where((eb) => eb.or([eb('updated_at', '>', after.updatedAt), eb.and([eb('updated_at', '=', after.updatedAt), eb('id', '>', after.id)])]))
      return (await q.orderBy('updated_at').orderBy('id').limit(page.limit).execute()).map(toApplication)
    },

    /** Deliveries that need a person: failed for good, dead-lettered, or held by a disabled endpoint. */
    stuckDeliveries: async (agencyId): Promise<StuckDelivery[]> => {
      let q = db.selectFrom('outbox')
        .innerJoin('applications', 'applications.id', 'outbox.application_id')
        .select(['outbox.id', 'outbox.agency_id', 'outbox.status', 'outbox.attempts', 'outbox.last_error', 'outbox.created_at', 'applications.reference'])
        .where('outbox.status', 'in', ['failed', 'dead', 'disabled'])
      if (agencyId) q = q.where('outbox.agency_id', '=', agencyId)
      return (await q.orderBy('outbox.created_at', 'desc').limit(200).execute()).map((r) => ({ ...camelize(r), attempts: Number(r.attempts) }))
    },

    deliveryLog: async ({ limit = 100, agencyId, before } = {}): Promise<DeliveryAttempt[]> => {
      let q = db.selectFrom('deliveries').leftJoin('applications', 'applications.id', 'deliveries.application_id')
        .selectAll('deliveries').select('applications.reference')
      if (agencyId) q = q.where('deliveries.agency_id', '=', agencyId)
      if (before) q = q.where('deliveries.id', '<', before)
      return (await q.orderBy('deliveries.id', 'desc').limit(limit).execute())
        .map((r) => ({ ...camelize(r), id: Number(r.id), statusCode: r.status_code === null ? null : Number(r.status_code), latencyMs: Number(r.latency_ms) }))
    },

    /** The next value of a named counter, atomically (one upsert), starting at 1. */
    async nextNumber(name) {
      const { rows } = await sql<{ value: number }>`insert into counters (name, value) values (${name}, 1)
        on conflict (name) do update set value = counters.value + 1 returning value`.execute(db)
      return Number(rows[0]!.value)
    },

    async redeliver(outboxId, agencyId) {
      let q = db.updateTable('outbox').set({ status: 'pending', attempts: 0, next_attempt_at: Date.now(), lease_owner: null, lease_until: null })
        .where('id', '=', outboxId)
      q = agencyId
        ? q.where('agency_id', '=', agencyId).where('status', 'in', ['failed', 'dead', 'disabled', 'delivered'])
        : q.where('status', 'in', ['failed', 'dead', 'disabled'])
      return Number((await q.executeTakeFirst()).numUpdatedRows) === 1
    },

    async saveAnswers(id, answers, currentPage) {
      await db.updateTable('applications').set({ answers: JSON.stringify(answers), current_page: currentPage, updated_at: now() })
        .where('id', '=', id).where('status', '=', 'draft').execute()
    },

    events: async (applicationId) => (await db.selectFrom('application_events').selectAll()
      .where('application_id', '=', applicationId).orderBy('id').execute()).map(toEvent),

    documents: async (applicationId) => (await selectDocuments(db, { application_id: applicationId })).rows.map(toDocument),

    /** The documents of several applications at once (the dispatcher's batch). */
    documentsOf: async (applicationIds) => (await db.selectFrom('documents').selectAll()
      .where('application_id', 'in', applicationIds).orderBy('created_at').execute()).map(toDocument),

    async addDocument(doc: NewDocument): Promise<ApplicationDocument> {
      const row = {
        id: newRowId(), created_at: now(), application_id: doc.applicationId, field_id: doc.fieldId, sha256: doc.sha256, size: doc.size,
        content_type: doc.contentType, filename: doc.filename, uploaded_by: doc.uploadedBy,
      }
      await db.insertInto('documents').values(row).execute()
      return toDocument(row)
    },

    async document(applicationId, id) {
      const row = await db.selectFrom('documents').selectAll().where('application_id', '=', applicationId).where('id', '=', id).executeTakeFirst()
      return row && toDocument(row)
    },

    /** Deletes a draft with its documents, only while it is still a draft. */
    async deleteDraft(id) {
      return db.transaction().execute(async (trx) => {
        const draft = await trx.selectFrom('applications').select('id').where('id', '=', id).where('status', '=', 'draft').executeTakeFirst()
        if (!draft) return false
        await trx.deleteFrom('documents').where('application_id', '=', id).execute()
        const gone = await trx.deleteFrom('applications').where('id', '=', id).where('status', '=', 'draft').executeTakeFirst()
        return Number(gone.numDeletedRows) === 1
      })
    },

    /** Drops the documents uploaded for a question, inside the caller's transaction. */
    async removeFieldDocuments(tx, applicationId, fieldId) {
      await deleteFieldDocuments(kyselyOf(tx), { application_id: applicationId, field_id: fieldId })
    },

    async removeDocument(applicationId, id) {
      await db.deleteFrom('documents').where('application_id', '=', applicationId).where('id', '=', id).execute()
    },

    /**
     * Moves an application from one status to another inside `trx`, only if it still has
     * the expected status (so two racing requests cannot both move it). True if it moved.
     */
    async moveStatus(tx, id, from, to, extra = {}) {
      const columns: StatusColumns = {
        decided_at: extra.decidedAt, agency_reference: extra.agencyReference, due_on: extra.dueOn, clock_stopped_on: extra.clockStoppedOn,
      }
      const { numAffectedRows } = await updateStatusWith(columns)(kyselyOf(tx), { ...columns, id, from, to, updated_at: now() })
      return Number(numAffectedRows) === 1
    },

    /** A draft becomes submitted, with what was checked at submission; true if it was still a draft. */
    async markSubmitted(tx, id, s: Submission) {
      const result = await updateSubmitted(kyselyOf(tx), {
        id, updated_at: now(), answers: JSON.stringify(s.answers), profile: s.profile ? JSON.stringify(s.profile) : null, submitted_at: s.submittedAt,
        current_page: s.currentPage, applicant_birthdate: s.applicantBirthdate, status_code_hash: s.statusCodeHash, assurance_level: s.assuranceLevel,
      })
      return Number(result.numAffectedRows) === 1
    },

    async addOutbox(tx, applicationId, agencyId) {
      const id = newRowId()
      await insertOutbox(kyselyOf(tx), { id, application_id: applicationId, agency_id: agencyId, next_attempt_at: Date.now(), created_at: now() })
      return id
    },

    async notify(tx, userId, applicationId, status, message) {
      await insertNotification(kyselyOf(tx), { user_id: userId, application_id: applicationId, at: now(), status, message })
    },

    inbox: async (userId): Promise<InboxMessage[]> => (await db.selectFrom('notifications')
      .innerJoin('applications', 'applications.id', 'notifications.application_id')
      .select(['notifications.id', 'notifications.at', 'notifications.status', 'notifications.message', 'notifications.read_at', 'applications.reference'])
      .where('notifications.user_id', '=', userId).orderBy('notifications.id', 'desc').limit(100).execute())
      .map((r) => ({ ...camelize(r), id: Number(r.id) })),

    async markInboxRead(userId) {
      await db.updateTable('notifications').set({ read_at: now() }).where('user_id', '=', userId).where('read_at', 'is', null).execute()
    },
  }
}
