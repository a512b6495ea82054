import type { Insertable, Kysely } from 'kysely'
import { prepared } from './prepared.js'
import type { AuditEventTable, Database } from './schema.js'

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

const insertAudit = prepared((db, row: Insertable<AuditEventTable>) => db.insertInto('audit_events').values({
  at: row.at, action: row.action, actor_id: row.actor_id, subject_id: row.subject_id, ip: row.ip, request_id: row.request_id,
  detail: row.detail, on_behalf_of: row.on_behalf_of,
}))

/** One append-only audit row, written with the caller's connection or transaction. */
export async function writeAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await insertAudit(db, {
    at: new Date().toISOString(), action: entry.action, actor_id: entry.actorId ?? null, subject_id: entry.subjectId ?? null,
    ip: entry.ip ?? null, request_id: entry.requestId ?? null, detail: entry.detail ? JSON.stringify(entry.detail) : null,
    on_behalf_of: entry.onBehalfOf ?? null,
  })
}
