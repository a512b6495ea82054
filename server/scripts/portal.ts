// Administration from the command line:
//   npm run portal -- user:create --email a@b.vn --name "Họ Tên" --role officer --agency ubnd-cap-xa
// The new person receives an email with a single-use link (72 hours) to set a password.
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../config.js'
import { pino } from 'pino'
import { openDatabase } from '../db/database.js'
import { AccountRefused, roles, type Role } from '../domain/identity/accountService.js'
import { emailTexts } from '../i18n/emailTexts.js'
import { translator } from '../i18n/messages.js'
import { createMailer } from '../mail/mailer.js'
import { createServices } from '../services.js'
import { loadAuditKey, migrate } from '../start.js'

const usage = `usage: npm run portal -- user:create --email EMAIL --name "FULL NAME" --role ${roles.join('|')} [--agency AGENCY_ID]`

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv, allowPositionals: true,
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, agency: { type: 'string' } },
  })
  if (positionals[0] !== 'user:create' || !values.email || !values.role) {
    process.stderr.write(`${usage}\n`)
    return 2
  }
  const config = loadConfig()
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    await migrate(database)
    const { accounts } = createServices(config, {
      database, handlers: {}, logger: pino({ level: 'silent' }), auditKey: loadAuditKey(config),
      mailer: createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir }),
    })
    const user = await accounts.createAccount(
      { email: values.email, fullName: values.name ?? values.email, role: values.role as Role, agencyId: values.agency },
      emailTexts(translator('vi')), 'cli',
    )
    process.stdout.write(`created ${user.role} ${user.email}${user.agencyId ? ` of ${user.agencyId}` : ''}; a link to set the password was emailed\n`)
    return 0
  } finally {
    await database.close()
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  const known = err instanceof AccountRefused || err instanceof ConfigError
  process.stderr.write(`${known ? '' : 'failed: '}${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
