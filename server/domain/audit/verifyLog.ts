import { append, MerkleTree, rootOf, verifyConsistency, type Hash } from './merkle.js'
import type { AuditLogRepository, StoredCheckpoint, StoredEntry } from './model.js'
import { openNote, parseCheckpointText, type VerifierKey } from './signedNote.js'
import { leafHashOf } from './transparencyLog.js'

export interface Verification {
  ok: boolean
  entries: number
  checkpoints: number
  /** committed entries the sequencer has not placed yet (not a failure) */
  unplaced: number
  /** the first thing that differs, naming the entry (or the span of entries) */
  problem?: string
  /** the entry's id, when one entry is named */
  entryId?: number
  place?: number
}

const describe = (e: StoredEntry) => `entry ${e.id} (${e.action}, ${e.at})`
const textOf = (value: unknown) => (typeof value === 'string' ? value : null)

/**
 * Recomputes the log from what storage holds: every entry's leaf hash from its content,
 * their places one after another with no gap, the tree's root at each checkpoint against
 * the signed root, each checkpoint's signature by a known key, and a consistency proof
 * from each checkpoint to the next. Stops at the first difference and names it.
 */
export async function verifyLog(repo: AuditLogRepository, options: { keys: VerifierKey[], origin: string, pageSize?: number }): Promise<Verification> {
  const pageSize = options.pageSize ?? 5000
  const checkpoints: StoredCheckpoint[] = []
  for (let after = 0; ;) {
    const page = await repo.checkpoints(after, 1000)
    checkpoints.push(...page)
    if (page.length < 1000) break
    after = page[page.length - 1]!.size
  }
  const unplaced = await repo.unplacedCount()
  const result = (entries: number, fields: Partial<Verification> = {}): Verification => ({
    ok: !fields.problem, entries, checkpoints: checkpoints.length, unplaced, ...fields,
  })

  for (const c of checkpoints) {
    let opened
    try {
      opened = openNote(c.note, options.keys)
    } catch (err) {
      return result(0, { problem: `checkpoint of size ${c.size} is not a signed note: ${(err as Error).message}` })
    }
    if (!opened.signedBy.some((k) => k.keyId === c.keyId)) return result(0, { problem: `checkpoint of size ${c.size}: no valid signature by key ${c.keyId}` })
    const body = parseCheckpointText(opened.text)
    if (body.origin !== options.origin || body.size !== c.size || body.root.toString('hex') !== c.rootHash) {
      return result(0, { problem: `checkpoint of size ${c.size}: its signed text says origin ${body.origin}, size ${body.size}, another root` })
    }
  }

  const tree = new MerkleTree()
  let frontier: Hash[] = []
  let place = 0
  let next = 0 // the next checkpoint to reach
  let previous: StoredCheckpoint | undefined
  const checkRoot = (last: StoredEntry): string | undefined => {
    while (next < checkpoints.length && checkpoints[next]!.size === place) {
      const c = checkpoints[next]!
      if (rootOf(frontier).toString('hex') !== c.rootHash) {
        // Hashes rewritten with the content: the checkpoints narrow it to their span.
        if (c.size - (previous?.size ?? 0) === 1) return `${describe(last)} at place ${place - 1} is not the entry the checkpoint of size ${c.size} signed`
        return `the entries at places ${previous?.size ?? 0} to ${c.size - 1} do not make the signed checkpoint of size ${c.size}: one of them was changed, added or removed`
      }
      if (previous && !verifyConsistency(previous.size, c.size, Buffer.from(previous.rootHash, 'hex'), Buffer.from(c.rootHash, 'hex'), tree.consistencyProof(previous.size, c.size))) {
        return `checkpoint of size ${c.size} is not consistent with checkpoint of size ${previous.size}`
      }
      previous = c
      next++
    }
    return undefined
  }

  for (;;) {
    const page = await repo.entriesByPlace(place, pageSize)
    for (const entry of page) {
      if (entry.leafIndex !== place) {
        return result(place, { problem: `the entry at place ${place} is missing: the next one, ${describe(entry)}, is at place ${entry.leafIndex}`, place, entryId: entry.id })
      }
      let hash: Hash | undefined
      try {
        hash = leafHashOf(entry, place)
      } catch {
        // detail that is no longer JSON
      }
      if (!hash || hash.toString('hex') !== entry.leafHash) {
        return result(place, { problem: `${describe(entry)} at place ${place} differs from what was placed there`, place, entryId: entry.id })
      }
      const detail = entry.detail ? JSON.parse(entry.detail) as Record<string, unknown> | null ?? {} : {}
      if (entry.reference !== textOf(detail['reference']) || entry.agencyId !== textOf(detail['agency'])) {
        return result(place, { problem: `${describe(entry)}: its application or agency column differs from its content`, place, entryId: entry.id })
      }
      frontier = append(frontier, place, hash)
      tree.push(hash)
      place++
      const problem = checkRoot(entry)
      if (problem) return result(place, problem.startsWith('entry ') ? { problem, place: place - 1, entryId: entry.id } : { problem })
    }
    if (page.length < pageSize) break
  }
  if (next < checkpoints.length) {
    return result(place, { problem: `a checkpoint of size ${checkpoints[next]!.size} was signed, but the log holds ${place} placed entries: entries from place ${place} on were removed` })
  }
  const state = await repo.state()
  if (state.size !== place) return result(place, { problem: `the log's recorded size is ${state.size}, but ${place} entries are placed` })
  return result(place)
}
