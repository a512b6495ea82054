// npm run test:pg runs the integration suites on PostgreSQL. When the server cannot be
// reached this says so and fails, rather than letting the suites skip silently.
import pg from 'pg'
import { defaultPostgresUrl } from '../support/testApp.js'

const url = process.env['TEST_DATABASE_URL'] ?? defaultPostgresUrl
const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
try {
  await client.connect()
  const { rows } = await client.query<{ version: string }>('select version()')
  process.stdout.write(`PostgreSQL reachable at ${url.replace(/:[^:@/]*@/, ':***@')}: ${rows[0]?.version.split(',')[0]}\n`)
  await client.end()
} catch (e) {
  process.stderr.write(`PostgreSQL is not reachable at ${url}: ${(e as Error).message}\n`)
  process.exit(1)
}
