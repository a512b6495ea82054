// The flush that makes a commit durable before it is acknowledged (server/db/sqlite/walFlush.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { WalFlusher } from '../../server/db/sqlite/walFlush.js'

function withLog(run: (file: string) => Promise<void>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'wal-flush-'))
  const file = path.join(dir, 'portal.db-wal')
  writeFileSync(file, 'frames')
  return run(file).finally(() => rmSync(dir, { recursive: true, force: true }))
}

test('a flush asked for settles after a sync of its own; those asked while it runs share the next one', () => withLog(async (file) => {
  const flusher = new WalFlusher(file)
  await flusher.flushed()
  assert.equal(flusher.syncs, 1)
  // The first starts a sync at once; the nine asked after it began cannot count on it
  // (their frames may have come too late for it): they wait for one more, together.
  const order: number[] = []
  await Promise.all(Array.from({ length: 10 }, (_, i) => flusher.flushed().then(() => order.push(i))))
  assert.equal(flusher.syncs, 3)
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'settled in the order asked')
  flusher.close()
}))

test('a log that cannot be synced rejects the flush: the commit is not acknowledged as durable', () => withLog(async (file) => {
  const flusher = new WalFlusher(`${file}-missing`)
  await assert.rejects(flusher.flushed(), (e: NodeJS.ErrnoException) => e.code === 'ENOENT')
  assert.equal(flusher.syncs, 0)
  // It tries again at the next commit, and succeeds once the file is there.
  writeFileSync(`${file}-missing`, 'frames')
  await flusher.flushed()
  assert.equal(flusher.syncs, 1)
  flusher.close()
}))
