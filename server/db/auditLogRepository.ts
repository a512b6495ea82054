import { type Kysely, type Selectable, type Transaction } from 'kysely'
import type { AuditLogRepository, LogState, StoredCheckpoint, StoredEntry } from '../domain/audit/model.js'
import type { AuditCheckpointTable, AuditEventTable, Database, Dialect } from './schema.js'

/** An entry as the log reads it: the row, with its place once it has one (audit_places). */
type EntryRow = Selectable<AuditEventTable> & { leaf_index?: number | null, leaf_hash?: string | null }

export const toStoredEntry = (row: EntryRow): StoredEntry => ({
  id: Number(row.id), at: row.at, action: row.action, actorId: row.actor_id, subjectId: row.subject_id, onBehalfOf: row.on_behalf_of,
  ip: row.ip, requestId: row.request_id, detail: row.detail, reference: row.reference, agencyId: row.agency_id,
  leafIndex: row.leaf_index === null || row.leaf_index === undefined ? null : Number(row.leaf_index), leafHash: row.leaf_hash ?? null,
})

const toCheckpoint = (row: Selectable<AuditCheckpointTable>): StoredCheckpoint => ({
  size: Number(row.size), rootHash: row.root_hash, at: row.at, keyId: row.key_id, note: row.note,
})

/** Places, 500 entries a statement, each written once; the entries leave the sequencer's queue. */
async function writePlaces(trx: Transaction<Database>, placed: Array<{ id: number, leafIndex: number, leafHash: string }>): Promise<void> {
  for (let i = 0; i < placed.length; i += 500) {
    const some = placed.slice(i, i + 500)
    await trx.insertInto('audit_places').values(some.map((p) => ({ leaf_index: p.leafIndex, event_id: p.id, leaf_hash: p.leafHash }))).execute()
    await trx.deleteFrom('audit_unplaced').where('event_id', 'in', some.map((p) => p.id)).execute()
  }
}

/** The transparency log's storage: the entries' places, the tree's state, checkpoints and keys. */
export function createAuditLogRepository(db: Kysely<Database>, dialect: Dialect): AuditLogRepository {
  const readState = async (q: Kysely<Database>, lock: boolean): Promise<LogState> => {
    let query = q.selectFrom('audit_log_state').select(['size', 'frontier']).where('id', '=', 1)
    // PostgreSQL: the row lock makes sequencers of other instances wait their turn.
    // SQLite: the transaction began IMMEDIATE, holding the database's one write lock.
    if (lock && dialect === 'postgres') query = query.forUpdate()
    const row = await query.executeTakeFirstOrThrow()
    return { size: Number(row.size), frontier: JSON.parse(row.frontier) as string[] }
  }
  const latest = (q: Kysely<Database>) => q.selectFrom('audit_checkpoints').selectAll().orderBy('size', 'desc').limit(1).executeTakeFirst()

  return {
    /**
     * The hashing and the signing happen before the write lock is taken, on what was read
     * outside it; the transaction that writes first checks, with the state locked, that
     * no other sequencer placed entries in between (else it reads and computes again).
     * The write lock is then held for the writes alone: on SQLite it is the database's
     * one lock, which the web thread's submissions wait for.
     */
    async integrate(limit, work) {
      for (;;) {
        const state = await readState(db, false)
        const unplaced = limit > 0
          ? (await db.selectFrom('audit_unplaced').innerJoin('audit_events', 'audit_events.id', 'audit_unplaced.event_id')
              .selectAll('audit_events').orderBy('audit_unplaced.event_id').limit(limit).execute()).map(toStoredEntry)
          : []
        const last = await latest(db)
        const result = work(state, unplaced, last && toCheckpoint(last))
        if (!result.placed.length && !result.checkpoint) return result
        const written = await db.transaction().execute(async (trx) => {
          const now = await readState(trx, true)
          if (now.size !== state.size || JSON.stringify(now.frontier) !== JSON.stringify(state.frontier)) return false
          if ((await latest(trx))?.size !== last?.size) return false
          await writePlaces(trx, result.placed)
          await trx.updateTable('audit_log_state').set({ size: result.state.size, frontier: JSON.stringify(result.state.frontier), updated_at: new Date().toISOString() })
            .where('id', '=', 1).execute()
          if (result.key) {
            const k = result.key
            await trx.insertInto('audit_keys').values({ key_id: k.keyId, name: k.name, public_key: k.publicKey, first_used_at: k.firstUsedAt })
              .onConflict((oc) => oc.column('key_id').doNothing()).execute()
          }
          if (result.checkpoint) {
            const c = result.checkpoint
            await trx.insertInto('audit_checkpoints').values({ size: c.size, root_hash: c.rootHash, at: c.at, key_id: c.keyId, note: c.note }).execute()
          }
          return true
        })
        if (written) return result
      }
    },

    state: () => readState(db, false),

    async leafHashes(from, to) {
      const rows = await db.selectFrom('audit_places').select(['leaf_index', 'leaf_hash'])
        .where('leaf_index', '>=', from).where('leaf_index', '<', to).orderBy('leaf_index').execute()
      rows.forEach((r, i) => {
        if (Number(r.leaf_index) !== from + i) throw new Error(`the audit log has no entry at place ${from + i}`)
      })
      return rows.map((r) => r.leaf_hash)
    },

    latestCheckpoint: async () => {
      const row = await latest(db)
      return row && toCheckpoint(row)
    },
    checkpoint: async (size) => {
      const row = await db.selectFrom('audit_checkpoints').selectAll().where('size', '=', size).executeTakeFirst()
      return row && toCheckpoint(row)
    },
    checkpoints: async (after, limit) => (await db.selectFrom('audit_checkpoints').selectAll()
      .where('size', '>', after).orderBy('size').limit(limit).execute()).map(toCheckpoint),
    keys: async () => (await db.selectFrom('audit_keys').selectAll().orderBy('first_used_at').execute())
      .map((k) => ({ keyId: k.key_id, name: k.name, publicKey: k.public_key, firstUsedAt: k.first_used_at })),

    entriesByPlace: async (from, limit) => (await db.selectFrom('audit_places').innerJoin('audit_events', 'audit_events.id', 'audit_places.event_id')
      .selectAll('audit_events').select(['audit_places.leaf_index', 'audit_places.leaf_hash'])
      .where('audit_places.leaf_index', '>=', from).orderBy('audit_places.leaf_index').limit(limit).execute()).map(toStoredEntry),
    unplacedCount: async () => Number((await db.selectFrom('audit_unplaced').innerJoin('audit_events', 'audit_events.id', 'audit_unplaced.event_id')
      .select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
    async placesOf(ids) {
      if (ids.length === 0) return new Map()
      const rows = await db.selectFrom('audit_places').select(['event_id', 'leaf_index', 'leaf_hash']).where('event_id', 'in', ids).execute()
      return new Map(rows.map((r) => [Number(r.event_id), { leafIndex: Number(r.leaf_index), leafHash: r.leaf_hash }]))
    },
  }
}
