import { sql } from 'kysely'
import type { MailOutbox, QueuedMail } from '../domain/queues/mailQueue.js'
import { claimDue } from './outboxRepository.js'
import { prepared } from './prepared.js'
import { newRowId } from './rowIds.js'
import type { Dialect, MailOutboxTable } from './schema.js'
import { kyselyOf } from './unitOfWork.js'

// One for every status change: compiled once (server/db/prepared.ts).
const insertMail = prepared((db, m: QueuedMail & { id: string, now: number, createdAt: string }) => sql`
  insert into mail_outbox (id, user_id, application_id, to_address, subject, body, status, attempts, next_attempt_at, created_at)
  select ${m.id}, id, ${m.applicationId}, email, ${m.subject}, ${m.body}, 'pending', 0, ${m.now}, ${m.createdAt}
  from users where id = ${m.userId} and email is not null and email_verified_at is not null`, { deferred: true })

/** The mail queue's table: emails written with the change they tell of, sent afterwards. */
export function createMailOutboxRepository(dialect: Dialect): MailOutbox {
  return {
    /**
     * Queues an email to a person, inside the caller's transaction, addressed to the
     * verified email address their account has at that moment; nothing when it has none.
     */
    async queue(tx, mail) {
      await insertMail(kyselyOf(tx), { ...mail, id: newRowId(), now: Date.now(), createdAt: new Date().toISOString() })
    },

    /** A service's name in the three languages, for the emails about its applications. */
    async serviceName(tx, serviceId) {
      const row = await kyselyOf(tx).selectFrom('services').select(['name_vi', 'name_en', 'name_fr']).where('id', '=', serviceId).executeTakeFirst()
      return row ? { vi: row.name_vi, en: row.name_en, fr: row.name_fr } : { vi: serviceId, en: serviceId, fr: serviceId }
    },

    claim: async (tx, owner, until, limit) => (await claimDue<MailOutboxTable>(kyselyOf(tx), dialect, 'mail_outbox', owner, until, limit))
      .map((r) => ({ id: r.id, toAddress: r.to_address, subject: r.subject, body: r.body, attempts: r.attempts })),

    async markSent(tx, ids, owner) {
      if (!ids.length) return
      await kyselyOf(tx).updateTable('mail_outbox').set({ status: 'sent', sent_at: new Date().toISOString(), lease_owner: null, lease_until: null, last_error: null })
        .where('id', 'in', ids).where('lease_owner', '=', owner).execute()
    },

    /** Ends a lease on an email that was not sent: to try again at `nextAttemptAt`, or for good. */
    async markUnsent(tx, row, owner, change) {
      await kyselyOf(tx).updateTable('mail_outbox').set({
        status: change.status, attempts: row.attempts + 1, last_error: change.error.slice(0, 500), lease_owner: null, lease_until: null,
        ...(change.nextAttemptAt ? { next_attempt_at: change.nextAttemptAt } : {}),
      }).where('id', '=', row.id).where('lease_owner', '=', owner).execute()
    },
  }
}
