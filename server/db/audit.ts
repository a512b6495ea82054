import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

export interface AuditEntry {
  action: string
  actorId?: string | null
  subjectId?: string | null
  ip?: string | null
  requestId?: string | null
  /** the enterprise code, when the actor acted for a business */
  onBehalfOf?: string | null
  detail?: Record<string, unknown>
}

/** One append-only audit row, written with the caller's connection or transaction. */
export async function writeAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db.insertInto('audit_events').values({
    at: new Date().toISOString(), action: entry.action, actor_id: entry.actorId ?? null, subject_id: entry.subjectId ?? null,
    ip: entry.ip ?? null, request_id: entry.requestId ?? null, detail: entry.detail ? JSON.stringify(entry.detail) : null,
    on_behalf_of: entry.onBehalfOf ?? null,
  }).execute()
}
