import { translator, type Params, type TranslationKey } from '../../i18n/messages.js'
import { languages } from '../catalogue/types.js'
import type { Commit } from '../ports.js'
import type { MailOutbox } from '../queues/mailQueue.js'
import type { AgencyRepository } from './repository.js'

/**
 * An email to every administrator of an agency (about its keys, its endpoint), in the
 * three languages, queued in the mail outbox so it survives a restart.
 */
export function agencyEmail(deps: { repo: AgencyRepository, outbox: MailOutbox, commit: Commit }) {
  return async (agencyId: string, subjectKey: TranslationKey, bodyKey: TranslationKey, params: Params): Promise<number> => {
    const admins = await deps.repo.administratorsOf(agencyId)
    if (!admins.length) return 0
    const body = languages.map((lang) => translator(lang)(bodyKey, params)).join('\n\n---\n\n')
    const subject = translator('vi')(subjectKey, params)
    await deps.commit(async (tx) => {
      for (const userId of admins) await deps.outbox.queue(tx, { userId, applicationId: null, subject, body })
    })
    return admins.length
  }
}

export type AgencyEmail = ReturnType<typeof agencyEmail>
