// npm run audit:verify: recomputes the audit log from the database and checks every
// checkpoint (server/domain/audit/verifyLog.ts). Exit 0 when the log holds, 1 naming
// the first entry that differs, 2 when it cannot run. Read only: it places nothing.
import { performance } from 'node:perf_hooks'
import { ConfigError, loadConfig } from '../config.js'
import { createAuditLogRepository } from '../db/auditLogRepository.js'
import { openDatabase } from '../db/database.js'
import { parseVerifierKey } from '../domain/audit/signedNote.js'
import { trustedKeys } from '../domain/audit/transparencyLog.js'
import { verifyLog } from '../domain/audit/verifyLog.js'
import { loadAuditKey } from '../start.js'

async function main(): Promise<number> {
  const config = loadConfig()
  const key = loadAuditKey(config)
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    const repo = createAuditLogRepository(database.db, database.dialect)
    const started = performance.now()
    const result = await verifyLog(repo, { keys: trustedKeys(key, config.auditVerifierKeys.map(parseVerifierKey)), origin: key.name })
    const seconds = ((performance.now() - started) / 1000).toFixed(2)
    const out = result.ok ? process.stdout : process.stderr
    out.write(`${result.ok ? 'ok' : 'FAILED'}: ${result.entries} entries, ${result.checkpoints} checkpoints, ${result.unplaced} not yet placed, ${seconds} s\n`)
    if (result.problem) out.write(`${result.problem}\n`)
    return result.ok ? 0 : 1
  } finally {
    await database.close()
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? '' : 'audit:verify could not run: '}${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(2)
})
