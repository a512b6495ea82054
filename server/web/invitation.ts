import type { TranslationKey } from '../i18n/messages.js'

/** The person an invitation form names, as typed, and what is wrong with it (nothing: undefined). */
export function invitationInput(body: unknown): { typed: { email: string, fullName: string }, problem: TranslationKey | undefined } {
  const fields = (body ?? {}) as Record<string, unknown>
  const typed = { email: String(fields['email'] ?? '').trim(), fullName: String(fields['fullName'] ?? '').trim() }
  const problem: TranslationKey | undefined = !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(typed.email) || typed.email.length > 254 ? 'invite.error.email'
    : !typed.fullName || typed.fullName.length > 200 ? 'invite.error.fullName' : undefined
  return { typed, problem }
}
