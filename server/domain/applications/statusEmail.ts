import type { ApplicationRow } from '../../db/applicationRepository.js'
import type { ApplicationStatus } from '../../db/schema.js'
import { translator } from '../../i18n/messages.js'
import type { IdentityRepository } from '../../db/identityRepository.js'
import type { Mailer } from '../identity/mailer.js'
import { languages } from '../catalogue/types.js'

/**
 * An email in the three languages on every status change of an application, to the
 * applicant's address when the account has one. It says what changed and where to
 * read more; the message itself stays in the portal.
 */
export function statusEmail(deps: { identity: IdentityRepository, mailer: Mailer, publicUrl: string }) {
  return async (app: ApplicationRow, to: ApplicationStatus): Promise<void> => {
    const user = await deps.identity.findUserById(app.applicant_id)
    if (!user?.email) return
    const link = `${deps.publicUrl}/applications/${app.reference}`
    const parts = languages.map((lang) => {
      const t = translator(lang)
      return t('email.status.body', { reference: app.reference, status: t(`status.${to}`), link })
    })
    const vi = translator('vi')
    await deps.mailer.send({ to: user.email, subject: vi('email.status.subject', { reference: app.reference, status: vi(`status.${to}`) }), text: parts.join('\n\n---\n\n') })
  }
}
