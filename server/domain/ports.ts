// What the domain is handed rather than imports (STYLE.md 12): a unit of work, the
// audit log. Storage implements them (server/db/); the domain sees only these types.

declare const unitOfWork: unique symbol

/** A transaction open in storage: what is written with it commits or rolls back together. */
export interface Tx { readonly [unitOfWork]: true }

/** Runs work in one transaction (group-committed with other work on SQLite). */
export type Commit = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>

/** The same for work that is a single statement (an audit entry, a counter): it needs no savepoint of its own. */
export type CommitOne = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>

export interface AuditEntry {
  action: string
  actorId?: string | null
  subjectId?: string | null
  ip?: string | null | undefined
  requestId?: string | null | undefined
  /** the enterprise code, when the actor acted for a business */
  onBehalfOf?: string | null | undefined
  detail?: Record<string, unknown>
}

/** The append-only audit trail: an entry on its own, or inside a transaction. */
export interface AuditLog {
  record(entry: AuditEntry, tx?: Tx): Promise<void>
}
