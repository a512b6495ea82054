// Row ids are UUIDv7: unique, and in the order the rows were made (server/db/rowIds.ts).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { newRowId } from '../../server/db/rowIds.js'

test('row ids are UUIDv7, unique, and sort in the order they were made', async () => {
  const ids: string[] = []
  for (let i = 0; i < 5_000; i++) {
    ids.push(newRowId())
    if (i % 1_000 === 0) await new Promise((r) => setTimeout(r, 2))
  }
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.equal(new Set(ids).size, ids.length)
  assert.deepEqual([...ids].sort(), ids, 'made later, sorted later: inserts land together in every index on the id')
  const ms = parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16)
  assert.ok(Math.abs(ms - Date.now()) < 60_000, 'the first 48 bits are the time of creation')
})
