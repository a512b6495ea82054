import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Options } from 'express-rate-limit'
import { BufferedRateLimitStore } from '../../server/db/rateLimitStore.js'
import { createTestDatabase, type TestDatabase } from '../support/testApp.js'

let database: TestDatabase
before(async () => { database = await createTestDatabase() })
after(async () => { await database.dispose() })

const options = { windowMs: 60_000 } as Options

describe('the written-behind rate-limit count (Agency API keys)', () => {
  it('is exact about its own hits at once and learns the other instances’ at its next flush', async () => {
    const one = new BufferedRateLimitStore(database.handle.db, 'k:', 10_000)
    const two = new BufferedRateLimitStore(database.handle.db, 'k:', 10_000)
    one.init(options)
    two.init(options)
    for (let i = 1; i <= 3; i++) assert.equal((await one.increment('key-a')).totalHits, i)
    assert.equal((await two.increment('key-a')).totalHits, 1, 'the other instance has not heard yet')
    await one.flush()
    await two.flush()
    assert.equal((await two.increment('key-a')).totalHits, 5, 'three from one, one from two, and this one')
    await two.flush()
    assert.equal((await one.increment('key-a')).totalHits, 4, 'its own four, until it flushes')
    await one.flush()
    assert.equal((await one.increment('key-a')).totalHits, 7, 'then the other instance’s two as well')
    assert.equal((await one.increment('key-b')).totalHits, 1, 'keys are counted apart')
    const rows = await database.handle.db.selectFrom('rate_limits').select(['key', 'hits']).execute()
    assert.ok(rows.every((r) => r.key.startsWith('k:') && !r.key.includes('key-a')), 'only a hash of the key is stored')
  })
})
