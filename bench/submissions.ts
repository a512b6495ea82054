// Submissions: drafts are prepared in the database beforehand (complete answers for
// temporary residence), then the real form POST /applications/{ref}/submit is sent for
// each, by a signed-in browser session with its CSRF token. A loopback agency endpoint
// receives every delivery (signed, verified), so the time from sending the submit to
// the agency receiving the application is measured in this one process.
import http from 'node:http'
import type { Insertable, Kysely } from 'kysely'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { openDatabase } from '../server/db/database.js'
import { newRowId } from '../server/db/rowIds.js'
import { createIdentityRepository } from '../server/db/identityRepository.js'
import { migrateToLatest } from '../server/db/migrate.js'
import type { ApplicationTable, Database } from '../server/db/schema.js'
import { newReference } from '../server/domain/applications/reference.js'
import { hashPassword } from '../server/domain/identity/passwords.js'
import { benchPassword } from './signIns.js'

export const agencySecret = `whsec_${Buffer.from('bench-agency-secret-0123456789abcdef').toString('base64')}`
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)

/** `migrate: false` for a database another commit's portal migrated (BENCH_COMPARE): its schema is that commit's. */
export async function seedDrafts(target: { dataDir?: string, databaseUrl?: string, migrate?: boolean }, count: number) {
  const database = openDatabase({ dataDir: target.dataDir ?? '', databaseUrl: target.databaseUrl })
  if (target.migrate !== false) await migrateToLatest(database)
  const identity = createIdentityRepository(database.db)
  const email = `submitter-${Date.now()}@bench.invalid`
  const user = await identity.createUser({ email, passwordHash: await hashPassword(benchPassword), fullName: 'Nguyễn Văn An', verified: true })
  // As after a national sign-in: the birthdate lets a visitor check the status with it.
  await identity.updateProfile(user.id, { birthdate: '1985-04-12', citizenId: '001085012345', gender: 'male' })
  const answers = JSON.stringify({
    applicantName: 'Nguyễn Văn An', applicantCitizenId: '001085012345', applicantPhone: '0912345678',
    stayAddress: '12 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội', permanentAddress: '5 Trần Phú, Vinh, Nghệ An', stayFrom: daysAgo(3), stayMonths: '12', housing: 'owner',
  })
  const at = new Date().toISOString()
  const references = await insertApplications(database.db, count, (reference) => ({
    id: newRowId(), reference, service_id: 'dang-ky-tam-tru', agency_id: 'cong-an-cap-xa', applicant_id: user.id, status: 'draft' as const,
    answers, current_page: 'check', created_at: at, updated_at: at,
  }))
  await database.close()
  return { email, references }
}

// Every reference this process has drawn, for every database it seeds: 35 random bits a
// month collide among 120,000 applications about one time in five.
const drawn = new Set<string>()

/** Inserts `count` applications, 500 a statement, each under a reference of its own; returns the references. */
export async function insertApplications(db: Kysely<Database>, count: number, row: (reference: string) => Insertable<ApplicationTable>): Promise<string[]> {
  const references: string[] = []
  for (let i = 0; i < count; i += 500) {
    const rows = Array.from({ length: Math.min(500, count - i) }, () => {
      // 35 random bits: among tens of thousands a pair can collide; draw again.
      let reference = newReference()
      while (drawn.has(reference)) reference = newReference()
      drawn.add(reference)
      references.push(reference)
      return row(reference)
    })
    await db.insertInto('applications').values(rows).execute()
  }
  return references
}

/** Signs in like a browser (behind the loopback proxy, over "https") and returns the session cookie and CSRF token. */
export async function browserSession(port: number, email: string): Promise<{ cookie: string, csrf: string }> {
  const base = `http://127.0.0.1:${port}`
  const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.200.0.1' }
  const page = await fetch(`${base}/account/sign-in`, { headers })
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!
  const cookieOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  const signIn = await fetch(`${base}/account/sign-in`, {
    method: 'POST', redirect: 'manual', headers: { ...headers, cookie: cookieOf(page), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email, password: benchPassword }).toString(),
  })
  if (signIn.status !== 303) throw new Error(`bench sign-in failed: ${signIn.status}`)
  const cookie = cookieOf(signIn)
  const account = await fetch(`${base}/account/profile`, { headers: { ...headers, cookie } })
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await account.text())![1]!
  return { cookie, csrf }
}

/** The loopback agency: verifies each delivery and notes when each reference arrived. */
export async function startBenchAgency(): Promise<{ url: string, arrivals: Map<string, number>, close: () => Promise<void> }> {
  const webhook = new Webhook(agencySecret)
  const arrivals = new Map<string, number>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      try {
        webhook.verify(raw, req.headers as Record<string, string>)
      } catch {
        return res.writeHead(401).end()
      }
      const reference = (JSON.parse(raw) as { data: { reference: string } }).data.reference
      if (!arrivals.has(reference)) arrivals.set(reference, performance.now())
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/applications`,
    arrivals,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections() }),
  }
}

/**
 * Submit-to-received latency at a steady pace: `rate` submissions a second for `seconds`,
 * each timed from sending the POST to the agency receiving the application.
 */
export async function measureLatency(
  port: number, session: { cookie: string, csrf: string }, references: string[], agency: { arrivals: Map<string, number> }, rate: number, seconds: number,
) {
  const sent = new Map<string, number>()
  const total = rate * seconds
  const interval = 1000 / rate
  const started = performance.now()
  const posts: Array<Promise<void>> = []
  for (let i = 0; i < total; i++) {
    const wait = started + i * interval - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    const reference = references[i]!
    sent.set(reference, performance.now())
    posts.push(fetch(`http://127.0.0.1:${port}/applications/${reference}/submit`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.200.0.1' },
      body: new URLSearchParams({ _csrf: session.csrf }).toString(),
    }).then(async (res) => {
      await res.arrayBuffer()
      if (res.status !== 303) throw new Error(`submit answered ${res.status}`)
    }))
  }
  await Promise.all(posts)
  const until = Date.now() + 30_000
  while ([...sent.keys()].some((r) => !agency.arrivals.has(r)) && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
  const latencies = [...sent].map(([r, t]) => (agency.arrivals.get(r) ?? Number.POSITIVE_INFINITY) - t).sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!
  return { count: latencies.length, lost: latencies.filter((l) => !Number.isFinite(l)).length, p50: Math.round(at(0.5)), p99: Math.round(at(0.99)) }
}
