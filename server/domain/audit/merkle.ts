import { createHash } from 'node:crypto'

// An append-only Merkle tree after RFC 9162 §2.1 (Certificate Transparency 2.0), with
// SHA-256: leaf = H(0x00 ‖ data), node = H(0x01 ‖ left ‖ right); a tree of n > 1 leaves
// splits at k, the largest power of two below n. Read beside sigstore-js's
// packages/verify/src/tlog/merkle.ts, which verifies the same proofs.

export type Hash = Buffer

const leafPrefix = Buffer.from([0])
const nodePrefix = Buffer.from([1])

export function leafHash(data: Buffer | string): Hash {
  return createHash('sha256').update(leafPrefix).update(data).digest()
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256').update(nodePrefix).update(left).update(right).digest()
}

/** The root of the empty tree: the hash of the empty string. */
export const emptyRoot: Hash = createHash('sha256').digest()

/** The largest power of two strictly below n (n > 1). */
function split(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/**
 * The roots of the perfect subtrees a tree of `size` leaves is made of, left to right
 * (one per set bit of size, largest first): all an appender needs to know of the past.
 */
export type Frontier = Hash[]

/** The frontier after appending one leaf hash. */
export function append(frontier: Frontier, size: number, leaf: Hash): Frontier {
  const next = [...frontier, leaf]
  // Each trailing 1 bit of the old size is a subtree of the new leaf's size: merge them.
  for (let s = size; s & 1; s >>= 1) {
    const right = next.pop()!
    const left = next.pop()!
    next.push(nodeHash(left, right))
  }
  return next
}

/** The root of a tree from its frontier (RFC 9162's MTH, folded right to left). */
export function rootOf(frontier: Frontier): Hash {
  if (frontier.length === 0) return emptyRoot
  let root = frontier[frontier.length - 1]!
  for (let i = frontier.length - 2; i >= 0; i--) root = nodeHash(frontier[i]!, root)
  return root
}

/**
 * The leaf hashes of a log, with the hashes of perfect, aligned subtrees remembered:
 * those never change in an append-only tree, so proofs over a large log cost a few
 * thousand hashes rather than a pass over every leaf.
 */
export class MerkleTree {
  private readonly memo = new Map<string, Hash>()
  // The leaf hashes end to end in one buffer: a hundred thousand leaves are 3.2 MB, not
  // a hundred thousand objects.
  private data: Buffer
  private count = 0

  constructor(leaves: Hash[] = []) {
    this.data = Buffer.alloc(Math.max(1024, leaves.length) * 32)
    this.push(...leaves)
  }

  get size(): number {
    return this.count
  }

  push(...leaves: Hash[]): void {
    if ((this.count + leaves.length) * 32 > this.data.length) {
      const grown = Buffer.alloc(Math.max(this.data.length * 2, (this.count + leaves.length) * 32))
      this.data.copy(grown, 0, 0, this.count * 32)
      this.data = grown
    }
    for (const leaf of leaves) {
      if (leaf.length !== 32) throw new Error('a leaf hash is 32 bytes')
      leaf.copy(this.data, this.count++ * 32)
    }
  }

  leaf(index: number): Hash {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) throw new RangeError(`no leaf ${index}`)
    return this.data.subarray(index * 32, index * 32 + 32)
  }

  /** MTH(D[start:start+n]) */
  hash(start: number, n: number): Hash {
    if (n === 0) return emptyRoot
    if (n === 1) return this.leaf(start)
    const perfect = (n & (n - 1)) === 0
    const key = `${start}:${n}`
    if (perfect && n >= 16) {
      const known = this.memo.get(key)
      if (known) return known
    }
    const k = split(n)
    const hash = nodeHash(this.hash(start, k), this.hash(start + k, n - k))
    if (perfect && n >= 16) this.memo.set(key, hash)
    return hash
  }

  root(size = this.size): Hash {
    this.check(size)
    return this.hash(0, size)
  }

  /** PATH(m, D[0:n]): the audit path of leaf m in the tree of the first n leaves (RFC 9162 §2.1.3.1). */
  inclusionProof(m: number, n = this.size): Hash[] {
    this.check(n)
    if (m < 0 || m >= n) throw new RangeError(`leaf ${m} is not in a tree of ${n}`)
    const path = (index: number, start: number, size: number): Hash[] => {
      if (size === 1) return []
      const k = split(size)
      return index < k
        ? [...path(index, start, k), this.hash(start + k, size - k)]
        : [...path(index - k, start + k, size - k), this.hash(start, k)]
    }
    return path(m, 0, n)
  }

  /** PROOF(m, D[0:n]): that the tree of m leaves is a prefix of the tree of n (RFC 9162 §2.1.4.1). */
  consistencyProof(m: number, n = this.size): Hash[] {
    this.check(n)
    if (m < 1 || m > n) throw new RangeError(`no consistency proof from ${m} to ${n}`)
    const subproof = (m: number, start: number, size: number, whole: boolean): Hash[] => {
      if (m === size) return whole ? [] : [this.hash(start, size)]
      const k = split(size)
      return m <= k
        ? [...subproof(m, start, k, whole), this.hash(start + k, size - k)]
        : [...subproof(m - k, start + k, size - k, false), this.hash(start, k)]
    }
    return subproof(m, 0, n, true)
  }

  private check(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.size) throw new RangeError(`no tree of ${n} leaves (the log has ${this.size})`)
  }
}

/** Verifies an inclusion proof (RFC 9162 §2.1.3.2): true when `leaf` is at `index` of the tree of `size` with `root`. */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: Hash[], root: Hash): boolean {
  if (index < 0 || index >= size) return false
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of proof) {
    if (sn === 0) return false
    if (fn & 1 || fn === sn) {
      r = nodeHash(p, r)
      if (!(fn & 1)) while (fn !== 0 && !(fn & 1)) { fn >>= 1; sn >>= 1 }
    } else {
      r = nodeHash(r, p)
    }
    fn >>= 1
    sn >>= 1
  }
  return sn === 0 && r.equals(root)
}

/** Verifies a consistency proof (RFC 9162 §2.1.4.2) between the tree of `first` leaves and that of `second`. */
export function verifyConsistency(first: number, second: number, firstRoot: Hash, secondRoot: Hash, proof: Hash[]): boolean {
  if (first < 1 || first > second) return false
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot)
  if (proof.length === 0) return false
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : proof
  let fn = first - 1
  let sn = second - 1
  while (fn & 1) { fn >>= 1; sn >>= 1 }
  let fr = path[0]!
  let sr = path[0]!
  for (const c of path.slice(1)) {
    if (sn === 0) return false
    if (fn & 1 || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      if (!(fn & 1)) while (fn !== 0 && !(fn & 1)) { fn >>= 1; sn >>= 1 }
    } else {
      sr = nodeHash(sr, c)
    }
    fn >>= 1
    sn >>= 1
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot)
}
