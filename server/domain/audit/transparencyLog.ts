import canonicalize from 'canonicalize'
import { append, leafHash, MerkleTree, rootOf, type Hash } from './merkle.js'
import type { AuditLogRepository, Integration, StoredCheckpoint, StoredEntry } from './model.js'
import { checkpointText, signNote, verifierKeyText, type SigningKey, type VerifierKey } from './signedNote.js'

/**
 * What a leaf is the hash of: the entry as RFC 8785 canonical JSON, its place included
 * (so that two entries swapped are two entries changed). Only hashes of it are ever
 * published: the portal serves leaf hashes, proofs and checkpoints, never entries.
 */
export function leafDataOf(entry: StoredEntry, index: number): string {
  return canonicalize({
    index, id: entry.id, at: entry.at, action: entry.action, actor: entry.actorId, subject: entry.subjectId,
    onBehalfOf: entry.onBehalfOf, ip: entry.ip, requestId: entry.requestId, detail: entry.detail === null ? null : JSON.parse(entry.detail) as unknown,
  })!
}

export const leafHashOf = (entry: StoredEntry, index: number): Hash => leafHash(leafDataOf(entry, index))

export interface CheckpointPolicy {
  /** sign a checkpoint once this many entries were placed since the last… */
  entries: number
  /** …or once this long has passed since it, when any were */
  ms: number
}

export interface TransparencyLogDeps {
  repo: AuditLogRepository
  key: SigningKey
  /** the verifier keys of earlier signing keys (AUDIT_VERIFIER_KEYS), published beside the current one */
  earlierKeys?: VerifierKey[]
  policy?: Partial<CheckpointPolicy>
  /** entries placed per transaction; by default the policy's count, so a backlog still gets a checkpoint every 1,000 */
  batch?: number
  now?: () => Date
}

const hex = (hash: Hash) => hash.toString('hex')
const fromHex = (text: string) => Buffer.from(text, 'hex')

/** A proof asked of sizes or places the log does not have; `logSize` is what it has. */
/**
 * The keys a checkpoint may be signed by: the earlier keys named in the settings, and
 * the current one. Never the keys the database lists: whoever can write the database
 * could add one of their own there.
 */
export function trustedKeys(current: VerifierKey, earlier: VerifierKey[] = []): VerifierKey[] {
  const keys = earlier.filter((k) => k.keyId !== current.keyId)
  return [...keys, { name: current.name, keyId: current.keyId, publicKey: current.publicKey }]
}

export class ProofError extends Error {
  constructor(message: string, readonly logSize: number) {
    super(message)
  }
}

/**
 * The audit trail as an append-only Merkle log (RFC 9162) with signed checkpoints
 * (C2SP). A sequencer, in the background thread of every instance, places committed
 * entries one transaction at a time with the log's state locked: entries get places in
 * the order the sequencer finds them, whatever order their ids committed in, so the
 * places have no gap and two instances never fork the log. The web thread serves
 * checkpoints and proofs from the leaf hashes, which it keeps in memory once asked.
 */
export function createTransparencyLog(deps: TransparencyLogDeps) {
  const { repo, key } = deps
  const policy: CheckpointPolicy = { entries: 1000, ms: 300_000, ...deps.policy }
  const batch = deps.batch ?? policy.entries
  const now = deps.now ?? (() => new Date())
  const origin = key.name

  function place(force: boolean) {
    return (state: { size: number, frontier: string[] }, unplaced: StoredEntry[], last: StoredCheckpoint | undefined): Integration => {
      let frontier: Hash[] = state.frontier.map(fromHex)
      let size = state.size
      const placed: Integration['placed'] = []
      for (const entry of unplaced) {
        const hash = leafHashOf(entry, size)
        placed.push({ id: entry.id, leafIndex: size, leafHash: hex(hash) })
        frontier = append(frontier, size, hash)
        size++
      }
      const at = now()
      const since = last ? size - last.size : size
      const due = since > 0 && (force || since >= policy.entries || !last || at.getTime() - Date.parse(last.at) >= policy.ms)
      const integration: Integration = { placed, state: { size, frontier: frontier.map(hex) } }
      if (due) {
        const root = rootOf(frontier)
        const note = signNote(checkpointText({ origin, size, root }), key)
        integration.checkpoint = { size, rootHash: hex(root), at: at.toISOString(), keyId: key.keyId, note }
        integration.key = { keyId: key.keyId, name: key.name, publicKey: key.publicKey.toString('base64'), firstUsedAt: at.toISOString() }
      }
      return integration
    }
  }

  // The web thread's copy of the leaf hashes, for proofs; filled on the first request.
  const tree = new MerkleTree()
  let loading: Promise<void> | undefined
  async function treeOf(size: number): Promise<MerkleTree> {
    while (tree.size < size) {
      loading ??= (async () => {
        const hashes = await repo.leafHashes(tree.size, Math.min(size, tree.size + 50_000))
        if (hashes.length === 0) throw new ProofError(`the log has no tree of ${size} entries yet`, tree.size)
        tree.push(...hashes.map(fromHex))
      })().finally(() => { loading = undefined })
      await loading
    }
    return tree
  }

  async function sizeFor(size: number | undefined): Promise<number> {
    const latest = await repo.latestCheckpoint()
    const n = size ?? latest?.size ?? 0
    const placed = (await repo.state()).size
    if (!Number.isInteger(n) || n < 1 || n > placed) throw new ProofError(`no tree of ${n} entries: the log has ${placed}`, placed)
    return n
  }

  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> | undefined

  const log = {
    origin,
    verifierKey: verifierKeyText(key),

    /**
     * Places what is committed and unplaced (in turns of `batch`), signing a checkpoint
     * when the policy says, or at once with `force` when anything is unsigned.
     */
    async integrate(options: { force?: boolean } = {}): Promise<{ placed: number, checkpoint?: StoredCheckpoint }> {
      let placed = 0
      let checkpoint: StoredCheckpoint | undefined
      for (;;) {
        const turn = await repo.integrate(batch, place(false))
        placed += turn.placed.length
        checkpoint = turn.checkpoint ?? checkpoint
        if (turn.placed.length < batch) break
      }
      if (options.force) {
        const last = await repo.latestCheckpoint()
        if ((await repo.state()).size > (last?.size ?? 0)) checkpoint = (await repo.integrate(0, place(true))).checkpoint ?? checkpoint
      }
      return checkpoint ? { placed, checkpoint } : { placed }
    },

    /** Runs the sequencer every `everyMs` until stop(). */
    start(everyMs: number, onError: (err: unknown) => void): void {
      const tick = () => {
        running = log.integrate().catch(onError).finally(() => {
          running = undefined
          timer = setTimeout(tick, everyMs)
          timer.unref()
        })
      }
      timer = setTimeout(tick, everyMs)
      timer.unref()
    },

    async stop(): Promise<void> {
      clearTimeout(timer)
      timer = undefined
      await running
    },

    latest: () => repo.latestCheckpoint(),
    checkpoint: (size: number) => repo.checkpoint(size),
    checkpoints: (after: number, limit: number) => repo.checkpoints(after, limit),
    /** the keys checkpoints may be signed by, as signed-note verifier keys */
    verifierKeys: (): string[] => trustedKeys(key, deps.earlierKeys).map(verifierKeyText),

    /** The audit path of the entry at `index` in the tree of `size` (by default the latest checkpoint's). */
    async inclusion(index: number, size?: number): Promise<{ index: number, size: number, leafHash: string, rootHash: string, proof: string[] }> {
      const n = await sizeFor(size)
      if (!Number.isInteger(index) || index < 0 || index >= n) throw new ProofError(`no entry ${index} in a tree of ${n}`, n)
      const t = await treeOf(n)
      return { index, size: n, leafHash: hex(t.leaf(index)), rootHash: hex(t.root(n)), proof: t.inclusionProof(index, n).map(hex) }
    },

    /** That the tree of `from` entries is a prefix of the tree of `to`. */
    async consistency(from: number, to?: number): Promise<{ from: number, to: number, fromRoot: string, toRoot: string, proof: string[] }> {
      const n = await sizeFor(to)
      if (!Number.isInteger(from) || from < 1 || from > n) throw new ProofError(`no consistency proof from ${from} to ${n}`, n)
      const t = await treeOf(n)
      return { from, to: n, fromRoot: hex(t.root(from)), toRoot: hex(t.root(n)), proof: t.consistencyProof(from, n).map(hex) }
    },
  }
  return log
}

export type TransparencyLog = ReturnType<typeof createTransparencyLog>
