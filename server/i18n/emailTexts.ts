import type { EmailTexts } from '../domain/identity/accountService.js'
import type { Translate } from './messages.js'

/** The account emails in one language. */
export function emailTexts(t: Translate): EmailTexts {
  return {
    verify: (link) => ({ subject: t('email.verify.subject'), text: t('email.verify.body', { link }) }),
    alreadyRegistered: (link) => ({ subject: t('email.existing.subject'), text: t('email.existing.body', { link }) }),
    reset: (link) => ({ subject: t('email.reset.subject'), text: t('email.reset.body', { link }) }),
    resetUnknown: (registerLink) => ({ subject: t('email.resetUnknown.subject'), text: t('email.resetUnknown.body', { link: registerLink }) }),
  }
}
