import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import { archiveRequestLog, createRequestLogStore, readManifest } from '../../server/db/requestLogRepository.js'
import { createApplicationRepository } from '../../server/db/applicationRepository.js'
import type { RequestRow } from '../../server/domain/audit/requestLog.js'
import { createTestDatabase, type TestDatabase } from '../support/testApp.js'

const day = 86_400_000
let database: TestDatabase
let dir: string

const row = (at: Date, n: number): RequestRow => ({
  at: at.toISOString(), requestId: `r-${n}`, method: 'GET', route: '/services/:id', path: `/services/s-${n}`, query: null, status: 200,
  durationMs: 1.5, userId: null, role: null, onBehalfOf: null, apiKeyId: null, agencyId: null, ip: '192.0.2.7', userAgent: 'curl 8',
})

before(async () => {
  database = await createTestDatabase()
  dir = mkdtempSync(path.join(tmpdir(), 'request-log-archive-'))
})
after(async () => {
  await database.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe('request-log retention', () => {
  it('moves rows older than the cutoff to gzip NDJSON per day with a SHA-256 manifest, then deletes only those', async () => {
    const store = createRequestLogStore(createApplicationRepository(database.handle.db, database.handle.dialect).commitOne, database.handle.dialect)
    const now = Date.now()
    const old = [...Array(30).keys()].map((n) => row(new Date(now - (200 + (n % 3)) * day), n))
    const recent = [...Array(5).keys()].map((n) => row(new Date(now - n * day), 100 + n))
    await store.insert([...old, ...recent])

    const result = await archiveRequestLog(database.handle.db, dir, new Date(now - 180 * day), 7)
    assert.equal(result.rows, 30)
    const left = await database.handle.db.selectFrom('request_log').select('request_id').orderBy('id').execute()
    assert.deepEqual(left.map((r) => r.request_id), recent.map((r) => r.requestId))

    const manifest = readManifest(dir)
    assert.equal(manifest.reduce((n, f) => n + f.rows, 0), 30)
    const archived: string[] = []
    for (const file of manifest) {
      const bytes = readFileSync(path.join(dir, file.file))
      assert.equal(createHash('sha256').update(bytes).digest('hex'), file.sha256, file.file)
      const lines = gunzipSync(bytes).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { requestId: string, at: string })
      assert.equal(lines.length, file.rows)
      assert.ok(lines.every((l) => l.at.slice(0, 10) === file.file.slice('request-log-'.length, 'request-log-'.length + 10)), 'one day a file')
      archived.push(...lines.map((l) => l.requestId))
    }
    assert.deepEqual(archived.sort(), old.map((r) => r.requestId).sort())
    const sums = readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n')
    assert.deepEqual(sums, manifest.map((f) => `${f.sha256}  ${f.file}`))

    assert.deepEqual(await archiveRequestLog(database.handle.db, dir, new Date(now - 180 * day)), { rows: 0, files: [] }, 'nothing twice')
  })
})
