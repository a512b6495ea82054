// The audit log's own figures, in this process on SQLite in a temporary directory:
// request-log rows written per second through the portal's writer and group commit;
// audit entries placed in the Merkle tree per second (sequencer, checkpoints every
// 1,000); and `audit:verify` over all of them (the same function the script runs).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { createApplicationRepository } from '../server/db/applicationRepository.js'
import { createAuditLogRepository } from '../server/db/auditLogRepository.js'
import { openDatabase } from '../server/db/database.js'
import { migrateToLatest } from '../server/db/migrate.js'
import { createRequestLogStore } from '../server/db/requestLogRepository.js'
import { createRequestLogWriter, type RequestRow } from '../server/domain/audit/requestLog.js'
import { generateSigningKey } from '../server/domain/audit/signedNote.js'
import { createTransparencyLog, trustedKeys } from '../server/domain/audit/transparencyLog.js'
import { verifyLog } from '../server/domain/audit/verifyLog.js'

export async function measureAuditLog(entries = 100_000, requests = 200_000) {
  const dir = mkdtempSync(path.join(tmpdir(), 'portal-bench-audit-'))
  const database = openDatabase({ dataDir: dir })
  try {
    await migrateToLatest(database)
    const repo = createApplicationRepository(database.db, database.dialect)

    // Request rows as the middleware hands them over, as fast as the writer takes them.
    const writer = createRequestLogWriter(createRequestLogStore(repo.commitOne, database.dialect))
    const row = (i: number): RequestRow => ({
      at: new Date().toISOString(), requestId: `bench-${i}`, method: 'GET', route: '/services/:id', path: `/services/dich-vu-${i % 6000}`, query: null,
      status: 200, durationMs: 1.25, userId: null, role: null, onBehalfOf: null, apiKeyId: null, agencyId: null, ip: '127.0.0.1', userAgent: 'Chrome 131 (Linux)',
    })
    let started = performance.now()
    for (let i = 0; i < requests; i++) {
      writer.add(row(i))
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r))
    }
    await writer.close()
    const requestRowsPerSecond = requests / ((performance.now() - started) / 1000)

    // Audit entries as the portal writes them, then placed by the sequencer.
    for (let i = 0; i < entries; i += 1000) {
      await database.db.insertInto('audit_events').values(Array.from({ length: Math.min(1000, entries - i) }, (_, k) => ({
        at: new Date().toISOString(), action: 'data.read', actor_id: `officer-${k % 50}`, subject_id: `citizen-${(i + k) % 9000}`, ip: '127.0.0.1',
        request_id: `req-${i + k}`, detail: JSON.stringify({ reference: `HS-${i + k}`, by: 'officer', agency: 'cong-an-cap-xa' }), on_behalf_of: null,
        reference: `HS-${i + k}`, agency_id: 'cong-an-cap-xa',
      }))).execute()
    }
    const key = generateSigningKey('127.0.0.1/audit-log').key
    const auditRepo = createAuditLogRepository(database.db, database.dialect)
    const log = createTransparencyLog({ repo: auditRepo, key })
    started = performance.now()
    // The sequencer's turns as they come in the portal: at most 1,000 a turn, a checkpoint at each 1,000.
    for (let placed = 0; placed < entries;) placed += (await log.integrate()).placed
    await log.integrate({ force: true })
    const placedPerSecond = entries / ((performance.now() - started) / 1000)

    started = performance.now()
    const verified = await verifyLog(auditRepo, { keys: trustedKeys(key), origin: key.name })
    const verifySeconds = (performance.now() - started) / 1000
    if (!verified.ok || verified.entries !== entries) throw new Error(`audit:verify failed on the bench's log: ${verified.problem ?? verified.entries}`)
    return { requestRowsPerSecond, placedPerSecond, verifySeconds, entries, checkpoints: verified.checkpoints }
  } finally {
    await database.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureAuditLog()
  process.stdout.write(`${JSON.stringify(r)}\n`)
}
