// The audit trail as the auditor and the transparency log see it; storage implements
// the ports (server/db/auditRepository.ts).

/** One audit entry as stored: what the leaf is computed from, and its place once it has one. */
export interface StoredEntry {
  id: number
  at: string
  action: string
  actorId: string | null
  subjectId: string | null
  onBehalfOf: string | null
  ip: string | null
  requestId: string | null
  /** JSON text, as written */
  detail: string | null
  reference: string | null
  agencyId: string | null
  leafIndex: number | null
  /** hex */
  leafHash: string | null
}

/** The tree so far: its size and the roots of the perfect subtrees it is made of (hex). */
export interface LogState { size: number, frontier: string[] }

export interface StoredCheckpoint {
  size: number
  /** hex */
  rootHash: string
  at: string
  keyId: string
  /** the whole signed note */
  note: string
}

export interface StoredKey { keyId: string, name: string, /** base64, raw Ed25519 */ publicKey: string, firstUsedAt: string }

/** What one turn of the sequencer writes, all in one transaction. */
export interface Integration {
  placed: Array<{ id: number, leafIndex: number, leafHash: string }>
  state: LogState
  checkpoint?: StoredCheckpoint
  /** the signing key, recorded the first time it signs */
  key?: StoredKey
}

export interface AuditLogRepository {
  /**
   * One sequencer at a time, across every instance, places entries: `work` is handed the
   * state, up to `limit` committed entries without a place (oldest id first) and the
   * latest checkpoint, and what it returns is written in one transaction holding the
   * log's state locked, only if the state and the latest checkpoint are still those it
   * was handed (else it is handed them again).
   */
  integrate(limit: number, work: (state: LogState, unplaced: StoredEntry[], last: StoredCheckpoint | undefined) => Integration): Promise<Integration>
  state(): Promise<LogState>
  /** leaf hashes (hex) of the places from ≤ i < to */
  leafHashes(from: number, to: number): Promise<string[]>
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>
  checkpoint(size: number): Promise<StoredCheckpoint | undefined>
  /** oldest first, sizes above `after` */
  checkpoints(after: number, limit: number): Promise<StoredCheckpoint[]>
  keys(): Promise<StoredKey[]>
  /** placed entries in the order of their places, from place `from` on */
  entriesByPlace(from: number, limit: number): Promise<StoredEntry[]>
  unplacedCount(): Promise<number>
  /** the places and leaf hashes of these entries (those placed) */
  placesOf(ids: number[]): Promise<Map<number, { leafIndex: number, leafHash: string }>>
}
