import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { append, leafHash, MerkleTree, nodeHash, rootOf, verifyConsistency, verifyInclusion, type Frontier } from '../../server/domain/audit/merkle.js'

// RFC 9162's MTH written the slow, obvious way, to check the tree against.
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest()
  if (leaves.length === 1) return leaves[0]!
  let k = 1
  while (k * 2 < leaves.length) k *= 2
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)))
}

const leaves = Array.from({ length: 70 }, (_, i) => leafHash(`entry ${i}`))

test('the frontier, the memoised tree and the plain definition agree on every root', () => {
  let frontier: Frontier = []
  const tree = new MerkleTree([])
  for (let n = 0; n <= leaves.length; n++) {
    assert.ok(rootOf(frontier).equals(mth(leaves.slice(0, n))), `root of ${n}`)
    assert.ok(tree.root(n).equals(mth(leaves.slice(0, n))), `tree root of ${n}`)
    if (n < leaves.length) {
      frontier = append(frontier, n, leaves[n]!)
      tree.push(leaves[n]!)
    }
  }
})

test('an inclusion proof verifies for every leaf of every size, and fails for another leaf or root', () => {
  const tree = new MerkleTree([...leaves])
  for (let n = 1; n <= leaves.length; n++) {
    const root = tree.root(n)
    for (let m = 0; m < n; m++) {
      const proof = tree.inclusionProof(m, n)
      assert.ok(verifyInclusion(m, n, leaves[m]!, proof, root), `leaf ${m} of ${n}`)
      if (n > 1) assert.equal(verifyInclusion(m, n, leaves[(m + 1) % n]!, proof, root), false)
    }
    assert.equal(verifyInclusion(0, n, leaves[0]!, tree.inclusionProof(0, n), leafHash('other')), false)
  }
})

test('a consistency proof verifies between any two sizes, and fails against a different history', () => {
  const tree = new MerkleTree([...leaves])
  const forked = new MerkleTree([...leaves.slice(0, 30), leafHash('forged'), ...leaves.slice(31)])
  for (let n = 1; n <= leaves.length; n++) {
    for (let m = 1; m <= n; m++) {
      const proof = tree.consistencyProof(m, n)
      assert.ok(verifyConsistency(m, n, tree.root(m), tree.root(n), proof), `${m} → ${n}`)
      if (m <= 30 && n > 30) assert.equal(verifyConsistency(m, n, tree.root(m), forked.root(n), proof), false, `fork ${m} → ${n}`)
    }
  }
  assert.equal(verifyConsistency(3, 7, tree.root(3), tree.root(7), []), false)
})
