// Writes a year of made-up history (applications, decisions, waits, withdrawals, answers
// to the satisfaction question) into a database with no application yet, so the open
// statistics show something: npm run demo:history. Refused in production. `npm start`
// does the same on first start outside production unless DEMO_HISTORY=off.
import { pino } from 'pino'
import { ConfigError, loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { DemoHistoryRefused, writeDemoHistory } from '../db/demoHistoryWriter.js'
import { createMailer } from '../mail/mailer.js'
import { progressBar } from '../progressBar.js'
import { createServices } from '../services.js'
import { loadAgencies, loadAuditKey, migrate, seed } from '../start.js'

async function main(): Promise<number> {
  // Before anything else, so that no setting has to be right for the refusal to be said.
  if (process.env['NODE_ENV'] === 'production') {
    process.stderr.write('refused: the demo history is made up and never goes into a production database (NODE_ENV=production)\n')
    return 2
  }
  const config = loadConfig()
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    await migrate(database)
    const logger = pino({ level: 'warn' })
    const services = createServices(config, {
      database, handlers: {}, logger, auditKey: loadAuditKey(config),
      mailer: createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir }),
    })
    await seed(services, config, await loadAgencies(), logger, { demoAccounts: false })
    const written = await writeDemoHistory(database.db, new Date(), {}, progressBar('demo history'))
    process.stdout.write(`${written.applications} applications to ${written.services} services by ${written.people} made-up people, ${written.ratings} answers on satisfaction\n`)
    return 0
  } finally {
    await database.close()
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  const known = err instanceof DemoHistoryRefused || err instanceof ConfigError
  process.stderr.write(`${known ? 'refused: ' : 'failed: '}${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
