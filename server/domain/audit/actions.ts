// Every action the audit trail records, for the auditor's list (each has a label in
// the three languages: auditor.action.<code>). test/unit/auditActions.test.ts checks
// that every action written in server/ is here.
export const auditActions = [
  'sign-in', 'sign-in.failed', 'sign-in.refused-locked', 'sign-out',
  'account.registered', 'account.register-existing', 'account.created', 'account.email-verified', 'account.email-added', 'account.email-requested',
  'account.linked', 'account.link-refused', 'account.locked', 'account.password-changed', 'account.password-reset-requested', 'account.password-reset-unknown',
  'profile.updated', 'role.assigned', 'role.changed',
  'business.linked', 'business.unlinked', 'business.link-refused', 'business.acting-for', 'business.acting-as-self',
  'application.started', 'application.draft-deleted', 'application.submitted', 'application.status', 'application.apology', 'application.assigned', 'result.issued', 'result.revoked',
  'data.read', 'data.prefill', 'data.registry-lookup', 'data.export-requested', 'data.exported',
  'delivery.redelivered',
  'agency.created', 'api-key.created', 'api-key.rotated', 'api-key.revoked', 'api-key.expiry-notice',
  'endpoint.registered', 'endpoint.verified', 'endpoint.verification-failed', 'endpoint.secret-rotated', 'endpoint.suspended', 'endpoint.resumed',
  'endpoint-host.allowed', 'endpoint-host.removed',
  'service.draft-created', 'service.draft-edited', 'service.submitted', 'service.approved', 'service.rejected',
  'service.suspended', 'service.resumed', 'service.retired',
  'audit.exported',
] as const

export type AuditAction = (typeof auditActions)[number]

export const isAuditAction = (value: unknown): value is AuditAction => typeof value === 'string' && (auditActions as readonly string[]).includes(value)

/** The reads of a person's data, shown to them on /account/data-use. */
export const dataUseActions = ['data.read', 'data.prefill', 'data.registry-lookup', 'data.exported'] as const
