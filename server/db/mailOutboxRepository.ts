import { sql, type Kysely } from 'kysely'
import { claimDue } from './outboxRepository.js'
import { prepared } from './prepared.js'
import { newRowId } from './rowIds.js'
import type { Database, Dialect, MailOutboxTable } from './schema.js'

export type MailRow = MailOutboxTable

export interface QueuedMail {
  userId: string
  applicationId: string | null
  subject: string
  body: string
}

// One for every status change: compiled once (server/db/prepared.ts).
const insertMail = prepared((db, m: QueuedMail & { id: string, now: number, createdAt: string }) => sql`
  insert into mail_outbox (id, user_id, application_id, to_address, subject, body, status, attempts, next_attempt_at, created_at)
  select ${m.id}, id, ${m.applicationId}, email, ${m.subject}, ${m.body}, 'pending', 0, ${m.now}, ${m.createdAt}
  from users where id = ${m.userId} and email is not null and email_verified_at is not null`)

/** The mail queue's table: emails written with the change they tell of, sent afterwards. */
export function createMailOutboxRepository(dialect: Dialect) {
  return {
    /**
     * Queues an email to a person, inside the caller's transaction, addressed to the
     * verified email address their account has at that moment; nothing when it has none.
     */
    async queue(executor: Kysely<Database>, mail: QueuedMail): Promise<void> {
      await insertMail(executor, { ...mail, id: newRowId(), now: Date.now(), createdAt: new Date().toISOString() })
    },

    /** A service's name in the three languages, for the emails about its applications. */
    async serviceName(executor: Kysely<Database>, serviceId: string): Promise<{ vi: string, en: string, fr: string }> {
      const row = await executor.selectFrom('services').select(['name_vi', 'name_en', 'name_fr']).where('id', '=', serviceId).executeTakeFirst()
      return row ? { vi: row.name_vi, en: row.name_en, fr: row.name_fr } : { vi: serviceId, en: serviceId, fr: serviceId }
    },

    claim: (executor: Kysely<Database>, owner: string, until: number, limit: number) => claimDue<MailRow>(executor, dialect, 'mail_outbox', owner, until, limit),

    async markSent(executor: Kysely<Database>, ids: string[], owner: string): Promise<void> {
      if (!ids.length) return
      await executor.updateTable('mail_outbox').set({ status: 'sent', sent_at: new Date().toISOString(), lease_owner: null, lease_until: null, last_error: null })
        .where('id', 'in', ids).where('lease_owner', '=', owner).execute()
    },

    /** Ends a lease on an email that was not sent: to try again at `nextAttemptAt`, or for good. */
    async markUnsent(executor: Kysely<Database>, row: MailRow, owner: string, change: { status: MailRow['status'], error: string, nextAttemptAt?: number }): Promise<void> {
      await executor.updateTable('mail_outbox').set({
        status: change.status, attempts: row.attempts + 1, last_error: change.error.slice(0, 500), lease_owner: null, lease_until: null,
        ...(change.nextAttemptAt ? { next_attempt_at: change.nextAttemptAt } : {}),
      }).where('id', '=', row.id).where('lease_owner', '=', owner).execute()
    },
  }
}

export type MailOutboxRepository = ReturnType<typeof createMailOutboxRepository>
