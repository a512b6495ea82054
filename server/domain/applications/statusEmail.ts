import type { Tx } from '../ports.js'
import type { MailOutbox } from '../queues/mailQueue.js'
import type { Application, ApplicationStatus } from './model.js'
import { translator } from '../../i18n/messages.js'
import { languages, type Lang, type Localized } from '../catalogue/types.js'

/** A message kept as JSON in three languages (from a handler), or as one person typed it. */
export function inLanguage(message: string, lang: Lang): string {
  if (message.startsWith('{')) {
    try {
      const parsed = JSON.parse(message) as Partial<Localized>
      if (typeof parsed[lang] === 'string') return parsed[lang]
    } catch { /* plain text after all */ }
  }
  return message
}

/**
 * An email in the three languages on every status change of an application, to the
 * applicant's verified address when the account has one. It names the service, says
 * what changed, carries the agency's message and links to the application. Queued in the transaction of the
 * change (the mail queue sends it), so a change is never made without its email.
 */
export function statusEmail(deps: { outbox: MailOutbox, publicUrl: string }) {
  // Read inside the change's transaction (a read beside it would wait for it on SQLite);
  // names change rarely, so each is kept a minute.
  const names = new Map<string, { name: Localized, until: number }>()
  async function serviceName(executor: Tx, serviceId: string): Promise<Localized> {
    const known = names.get(serviceId)
    if (known && known.until > Date.now()) return known.name
    const name = await deps.outbox.serviceName(executor, serviceId)
    names.set(serviceId, { name, until: Date.now() + 60_000 })
    return name
  }

  return async (executor: Tx, app: Application, to: ApplicationStatus, agencyMessage: string | null): Promise<void> => {
    const link = `${deps.publicUrl}/applications/${app.reference}`
    const about = { service: await serviceName(executor, app.serviceId), message: agencyMessage }
    const parts = languages.map((lang) => {
      const t = translator(lang)
      const message = about.message ? inLanguage(about.message, lang) : ''
      return t('email.status.body', { reference: app.reference, service: about.service[lang], status: t(`status.${to}`), link })
        + (message ? `\n\n${t('email.status.message')}\n${message}` : '')
    })
    const vi = translator('vi')
    await deps.outbox.queue(executor, {
      userId: app.applicantId, applicationId: app.id,
      subject: vi('email.status.subject', { reference: app.reference, status: vi(`status.${to}`) }), body: parts.join('\n\n---\n\n'),
    })
  }
}

export type StatusEmail = ReturnType<typeof statusEmail>
