import type { Kysely } from 'kysely'
import type { ApplicationRow } from '../../db/applicationRepository.js'
import type { MailOutboxRepository } from '../../db/mailOutboxRepository.js'
import type { ApplicationStatus, Database } from '../../db/schema.js'
import { translator } from '../../i18n/messages.js'
import { languages } from '../catalogue/types.js'

/**
 * An email in the three languages on every status change of an application, to the
 * applicant's address when the account has one. It says what changed and where to
 * read more; the message itself stays in the portal. Queued in the transaction of the
 * change (the mail queue sends it), so a change is never made without its email.
 */
export function statusEmail(deps: { outbox: MailOutboxRepository, publicUrl: string }) {
  return async (executor: Kysely<Database>, app: ApplicationRow, to: ApplicationStatus): Promise<void> => {
    const link = `${deps.publicUrl}/applications/${app.reference}`
    const parts = languages.map((lang) => {
      const t = translator(lang)
      return t('email.status.body', { reference: app.reference, status: t(`status.${to}`), link })
    })
    const vi = translator('vi')
    await deps.outbox.queue(executor, {
      userId: app.applicant_id, applicationId: app.id,
      subject: vi('email.status.subject', { reference: app.reference, status: vi(`status.${to}`) }), body: parts.join('\n\n---\n\n'),
    })
  }
}

export type StatusEmail = ReturnType<typeof statusEmail>
