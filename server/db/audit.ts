import type { Insertable, Kysely } from 'kysely'
import type { AuditEntry, AuditLog } from '../domain/ports.js'
import { prepared } from './prepared.js'
import type { AuditEventTable, Database } from './schema.js'
import { kyselyOf } from './unitOfWork.js'

export type { AuditEntry }

const insertAudit = prepared((db, row: Insertable<AuditEventTable>) => db.insertInto('audit_events').values({
  at: row.at, action: row.action, actor_id: row.actor_id, subject_id: row.subject_id, ip: row.ip, request_id: row.request_id,
  detail: row.detail, on_behalf_of: row.on_behalf_of, reference: row.reference, agency_id: row.agency_id,
}), { deferred: true })

const textOf = (value: unknown) => (typeof value === 'string' ? value : null)

/** One append-only audit row, written with the caller's connection or transaction. */
export async function writeAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await insertAudit(db, {
    at: new Date().toISOString(), action: entry.action, actor_id: entry.actorId ?? null, subject_id: entry.subjectId ?? null,
    ip: entry.ip ?? null, request_id: entry.requestId ?? null, detail: entry.detail ? JSON.stringify(entry.detail) : null,
    on_behalf_of: entry.onBehalfOf ?? null, reference: textOf(entry.detail?.['reference']), agency_id: textOf(entry.detail?.['agency']),
  })
}

/** The audit log port the domain is handed: its own connection, or the caller's transaction. */
export function createAuditLog(db: Kysely<Database>): AuditLog {
  return { record: (entry, tx) => writeAudit(tx ? kyselyOf(tx) : db, entry) }
}
