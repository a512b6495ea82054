import type { Insertable, Selectable, Transaction } from 'kysely'
import { sql } from 'kysely'
import { createCommitBatcher } from './commitBatcher.js'
import { isUniqueViolation, type Db } from './database.js'
import { prepared } from './prepared.js'
import { newRowId } from './rowIds.js'
import type { ApplicationEventTable, ApplicationStatus, ApplicationTable, Database, Dialect, DocumentTable } from './schema.js'

export type ApplicationRow = Selectable<ApplicationTable>
export type DocumentRow = Selectable<DocumentTable>
export type EventRow = Selectable<Database['application_events']>
type Tx = Transaction<Database>

export interface NewEvent {
  applicationId: string
  actorId: string | null
  actorKind: 'citizen' | 'officer' | 'agency' | 'system'
  from: ApplicationStatus | null
  to: ApplicationStatus
  message?: string | null
  note?: string | null
}

// The statements of every submission and delivery, compiled once (server/db/prepared.ts).
const insertEvent = prepared((db, e: Insertable<ApplicationEventTable>) => db.insertInto('application_events').values({
  application_id: e.application_id, at: e.at, actor_id: e.actor_id, actor_kind: e.actor_kind,
  from_status: e.from_status, to_status: e.to_status, message: e.message, note: e.note,
}))
const insertOutbox = prepared((db, o: { id: string, application_id: string, agency_id: string, next_attempt_at: number, created_at: string }) => db.insertInto('outbox').values({
  id: o.id, application_id: o.application_id, agency_id: o.agency_id, status: 'pending', attempts: 0,
  next_attempt_at: o.next_attempt_at, lease_owner: null, lease_until: null, last_error: null, created_at: o.created_at, delivered_at: null,
}))
const insertNotification = prepared((db, n: { user_id: string, application_id: string, at: string, status: ApplicationStatus, message: string | null }) =>
  db.insertInto('notifications').values({ user_id: n.user_id, application_id: n.application_id, at: n.at, status: n.status, message: n.message, read_at: null }))
// At submission, for each question that no longer applies: one statement, compiled once.
const deleteFieldDocuments = prepared((db, a: { application_id: string, field_id: string }) =>
  db.deleteFrom('documents').where('application_id', '=', a.application_id).where('field_id', '=', a.field_id))
const selectByReference = prepared((db, a: { reference: string }) => db.selectFrom('applications').selectAll().where('reference', '=', a.reference))
const updateStatus = prepared((db, a: { id: string, from: ApplicationStatus, to: ApplicationStatus, updated_at: string }) =>
  db.updateTable('applications').set({ status: a.to, updated_at: a.updated_at }).where('id', '=', a.id).where('status', '=', a.from))
type Submission = Pick<ApplicationRow, 'answers' | 'profile' | 'submitted_at' | 'current_page' | 'applicant_birthdate' | 'status_code_hash' | 'assurance_level'>
const updateSubmitted = prepared((db, a: Submission & { id: string, updated_at: string }) => db.updateTable('applications').set({
  answers: a.answers, profile: a.profile, submitted_at: a.submitted_at, current_page: a.current_page, applicant_birthdate: a.applicant_birthdate,
  status_code_hash: a.status_code_hash, assurance_level: a.assurance_level, status: 'submitted', updated_at: a.updated_at,
}).where('id', '=', a.id).where('status', '=', 'draft'))

export function createApplicationRepository(db: Db, dialect: Dialect = 'sqlite') {
  const now = () => new Date().toISOString()

  async function addEvent(trx: Tx | Db, event: NewEvent, at = now()): Promise<void> {
    await insertEvent(trx, {
      application_id: event.applicationId, at, actor_id: event.actorId, actor_kind: event.actorKind,
      from_status: event.from, to_status: event.to, message: event.message ?? null, note: event.note ?? null,
    })
  }

  const batcher = createCommitBatcher(db, { dialect })
  return {
    db,
    addEvent,
    /** Runs writes in a group-committed transaction (server/db/commitBatcher.ts). */
    commit: batcher.run,

    /**
     * A new draft under a fresh reference. References have 35 random bits a month: at a
     * million applications a month a few collide, so a taken reference is drawn again.
     */
    async createDraft(row: Omit<Insertable<ApplicationTable>, 'id' | 'status' | 'created_at' | 'updated_at' | 'reference'>, newReference: () => string): Promise<ApplicationRow> {
      for (let attempt = 1; ; attempt++) {
        const at = now()
        const full: ApplicationRow = {
          id: newRowId(), status: 'draft', created_at: at, updated_at: at,
          on_behalf_of: null, on_behalf_of_name: null, profile: null, current_page: null, applicant_birthdate: null,
          status_code_hash: null, assurance_level: null, agency_reference: null, submit_key: null, submitted_at: null, decided_at: null,
          ...row, reference: newReference(),
        } as ApplicationRow
        try {
          await db.insertInto('applications').values(full).execute()
          return full
        } catch (error) {
          if (attempt >= 5 || !isUniqueViolation(error)) throw error
        }
      }
    },

    byReference: async (reference: string): Promise<ApplicationRow | undefined> => (await selectByReference(db, { reference })).rows[0],
    byId: (id: string) => db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst(),
    byIds: (ids: string[]) => db.selectFrom('applications').selectAll().where('id', 'in', ids).execute(),

    /** The person's open draft of a service (as themselves or for one business). */
    openDraft: (applicantId: string, serviceId: string, onBehalfOf: string | null) => {
      const q = db.selectFrom('applications').selectAll()
        .where('applicant_id', '=', applicantId).where('service_id', '=', serviceId).where('status', '=', 'draft')
      return (onBehalfOf ? q.where('on_behalf_of', '=', onBehalfOf) : q.where('on_behalf_of', 'is', null))
        .orderBy('updated_at', 'desc').executeTakeFirst()
    },

    listFor: (applicantId: string) => db.selectFrom('applications')
      .innerJoin('services', 'services.id', 'applications.service_id')
      .select(['applications.reference', 'applications.status', 'applications.updated_at', 'applications.submitted_at', 'applications.on_behalf_of_name',
        'applications.current_page', 'services.id as service_id', 'services.name_vi', 'services.name_en', 'services.name_fr'])
      .where('applicant_id', '=', applicantId).orderBy('applications.updated_at', 'desc').limit(200).execute(),

    /** Applications routed to an agency (drafts are the applicant's alone), newest first. */
    /**
     * The agency's applications with their applicant and who acted last, oldest first
     * (the first due first); `name` is folded (no case, no tone marks).
     */
    forAgency: (agencyId: string, filter: { status?: string | undefined, reference?: string | undefined, name?: string | undefined } = {}) => {
      let q = db.selectFrom('applications')
        .innerJoin('services', 'services.id', 'applications.service_id')
        .innerJoin('users', 'users.id', 'applications.applicant_id')
        .select((eb) => ['applications.reference', 'applications.status', 'applications.submitted_at', 'applications.updated_at', 'applications.on_behalf_of_name',
          'services.name_vi', 'services.name_en', 'services.name_fr', 'services.processing_days', 'users.full_name as applicant_name',
          eb.selectFrom('application_events as e').select('e.actor_kind').whereRef('e.application_id', '=', 'applications.id')
            .orderBy('e.id', 'desc').limit(1).as('last_actor')])
        .where('applications.agency_id', '=', agencyId).where('applications.status', '!=', 'draft')
      if (filter.status) q = q.where('applications.status', '=', filter.status as never)
      if (filter.reference) q = q.where('applications.reference', '=', filter.reference)
      if (filter.name) q = q.where('users.folded_name', 'like', `%${filter.name.replace(/[%_\\]/g, '')}%`)
      return q.orderBy('applications.submitted_at', 'asc').limit(200).execute()
    },

    /** Deliveries that need a person: failed for good, dead-lettered, or held by a disabled endpoint. */
    stuckDeliveries: () => db.selectFrom('outbox')
      .innerJoin('applications', 'applications.id', 'outbox.application_id')
      .select(['outbox.id', 'outbox.agency_id', 'outbox.status', 'outbox.attempts', 'outbox.last_error', 'outbox.created_at', 'applications.reference'])
      .where('outbox.status', 'in', ['failed', 'dead', 'disabled']).orderBy('outbox.created_at', 'desc').limit(200).execute(),

    deliveryLog: (limit = 100) => db.selectFrom('deliveries').leftJoin('applications', 'applications.id', 'deliveries.application_id')
      .selectAll('deliveries').select('applications.reference').orderBy('deliveries.id', 'desc').limit(limit).execute(),

    /** The next value of a named counter, atomically (one upsert), starting at 1. */
    async nextNumber(name: string): Promise<number> {
      const { rows } = await sql<{ value: number }>`insert into counters (name, value) values (${name}, 1)
        on conflict (name) do update set value = counters.value + 1 returning value`.execute(db)
      return Number(rows[0]!.value)
    },

    /** Puts a stuck delivery back in the queue, due now, with its attempts counted afresh. */
    async redeliver(outboxId: string): Promise<boolean> {
      const result = await db.updateTable('outbox').set({ status: 'pending', attempts: 0, next_attempt_at: Date.now(), lease_owner: null, lease_until: null })
        .where('id', '=', outboxId).where('status', 'in', ['failed', 'dead', 'disabled']).executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    async enableEndpoint(agencyId: string): Promise<void> {
      await db.updateTable('agency_endpoints').set({ disabled_at: null, reason: null }).where('agency_id', '=', agencyId).execute()
    },

    async saveAnswers(id: string, answers: string, currentPage: string | null): Promise<void> {
      await db.updateTable('applications').set({ answers, current_page: currentPage, updated_at: now() })
        .where('id', '=', id).where('status', '=', 'draft').execute()
    },

    events: (applicationId: string) => db.selectFrom('application_events').selectAll()
      .where('application_id', '=', applicationId).orderBy('id').execute(),

    documents: (applicationId: string) => db.selectFrom('documents').selectAll()
      .where('application_id', '=', applicationId).orderBy('created_at').execute(),

    /** The documents of several applications at once (the dispatcher's batch). */
    documentsOf: (applicationIds: string[]) => db.selectFrom('documents').selectAll()
      .where('application_id', 'in', applicationIds).orderBy('created_at').execute(),

    async addDocument(doc: Omit<DocumentRow, 'id' | 'created_at'>): Promise<DocumentRow> {
      const row = { ...doc, id: newRowId(), created_at: now() }
      await db.insertInto('documents').values(row).execute()
      return row
    },

    document: (applicationId: string, id: string) => db.selectFrom('documents').selectAll()
      .where('application_id', '=', applicationId).where('id', '=', id).executeTakeFirst(),

    /** Deletes a draft with its documents, only while it is still a draft. */
    async deleteDraft(id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const draft = await trx.selectFrom('applications').select('id').where('id', '=', id).where('status', '=', 'draft').executeTakeFirst()
        if (!draft) return false
        await trx.deleteFrom('documents').where('application_id', '=', id).execute()
        const gone = await trx.deleteFrom('applications').where('id', '=', id).where('status', '=', 'draft').executeTakeFirst()
        return Number(gone.numDeletedRows) === 1
      })
    },

    /** Drops the documents uploaded for a question, inside the caller's transaction. */
    async removeFieldDocuments(trx: Transaction<Database>, applicationId: string, fieldId: string): Promise<void> {
      await deleteFieldDocuments(trx, { application_id: applicationId, field_id: fieldId })
    },

    async removeDocument(applicationId: string, id: string): Promise<void> {
      await db.deleteFrom('documents').where('application_id', '=', applicationId).where('id', '=', id).execute()
    },

    /**
     * Moves an application from one status to another inside `trx`, only if it still has
     * the expected status (so two racing requests cannot both move it). True if it moved.
     */
    async moveStatus(trx: Tx, id: string, from: ApplicationStatus, to: ApplicationStatus, extra: Partial<ApplicationRow> = {}): Promise<boolean> {
      const moved = Object.keys(extra).length
        ? (await trx.updateTable('applications').set({ ...extra, status: to, updated_at: now() }).where('id', '=', id).where('status', '=', from).executeTakeFirst()).numUpdatedRows
        : (await updateStatus(trx, { id, from, to, updated_at: now() })).numAffectedRows
      return Number(moved) === 1
    },

    /** A draft becomes submitted, with what was checked at submission; true if it was still a draft. */
    async markSubmitted(trx: Tx, id: string, submission: Submission): Promise<boolean> {
      const result = await updateSubmitted(trx, { ...submission, id, updated_at: now() })
      return Number(result.numAffectedRows) === 1
    },

    async addOutbox(trx: Tx, applicationId: string, agencyId: string): Promise<string> {
      const id = newRowId()
      await insertOutbox(trx, { id, application_id: applicationId, agency_id: agencyId, next_attempt_at: Date.now(), created_at: now() })
      return id
    },

    async notify(trx: Tx | Db, userId: string, applicationId: string, status: ApplicationStatus, message: string | null): Promise<void> {
      await insertNotification(trx, { user_id: userId, application_id: applicationId, at: now(), status, message })
    },

    inbox: (userId: string) => db.selectFrom('notifications')
      .innerJoin('applications', 'applications.id', 'notifications.application_id')
      .select(['notifications.id', 'notifications.at', 'notifications.status', 'notifications.message', 'notifications.read_at', 'applications.reference'])
      .where('notifications.user_id', '=', userId).orderBy('notifications.id', 'desc').limit(100).execute(),

    async markInboxRead(userId: string): Promise<void> {
      await db.updateTable('notifications').set({ read_at: now() }).where('user_id', '=', userId).where('read_at', 'is', null).execute()
    },

    unreadCount: async (userId: string) => Number((await db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirstOrThrow()).n),
  }
}

export type ApplicationRepository = ReturnType<typeof createApplicationRepository>
