// Sign-ins per second through the real form: GET the sign-in page (session cookie and
// CSRF token), POST email and password, expect the 303 to /account. Each worker is one
// browser at a time. Accounts are spread so the per-account limit (10 per 15 minutes)
// is never reached, and each attempt comes from its own X-Forwarded-For address (the
// portal trusts loopback as its proxy), as people behind a load balancer would.
import { hashPassword, verifyPassword, argon2Options } from '../server/domain/identity/passwords.js'
import { createIdentityRepository } from '../server/db/identityRepository.js'
import { openDatabase } from '../server/db/database.js'
import { migrateToLatest } from '../server/db/migrate.js'

export const benchPassword = 'mật khẩu đo tải 2026'

export async function seedBenchAccounts(dataDir: string, count: number): Promise<string[]> {
  const database = openDatabase({ dataDir })
  await migrateToLatest(database)
  const repo = createIdentityRepository(database.db)
  const passwordHash = await hashPassword(benchPassword) // one hash (salted once) for every account
  const emails: string[] = []
  for (let i = 0; i < count; i++) {
    const email = `bench-${i}@bench.invalid`
    await repo.createUser({ email, passwordHash, fullName: `Bench ${i}`, verified: true })
    emails.push(email)
  }
  await database.close()
  return emails
}

function cookieFrom(res: Response): string {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
}

export async function measureSignIns(port: number, emails: string[], seconds: number, workers: number) {
  const base = `http://127.0.0.1:${port}`
  const latencies: number[] = []
  let next = 0
  let failures = 0
  const until = Date.now() + seconds * 1000
  async function worker() {
    while (Date.now() < until) {
      const n = next++
      const headers = { 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, 'x-forwarded-proto': 'https' }
      const started = performance.now()
      const page = await fetch(`${base}/account/sign-in`, { headers })
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? ''
      const res = await fetch(`${base}/account/sign-in`, {
        method: 'POST', redirect: 'manual',
        headers: { ...headers, cookie: cookieFrom(page), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: token, email: emails[n % emails.length]!, password: benchPassword }).toString(),
      })
      await res.arrayBuffer()
      if (res.status === 303 && res.headers.get('location') === '/account') latencies.push(performance.now() - started)
      else failures++
    }
  }
  const started = Date.now()
  await Promise.all(Array.from({ length: workers }, worker))
  const elapsed = (Date.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0)
  return { perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), failures, count: latencies.length }
}

/** argon2id verifications per second in this process, with the portal's parameters. */
export async function measureHashing(seconds: number, parallel: number) {
  const hashed = await hashPassword(benchPassword)
  let count = 0
  const until = Date.now() + seconds * 1000
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (Date.now() < until) {
      await verifyPassword(hashed, benchPassword)
      count++
    }
  }))
  return { perSecond: count / seconds, params: `argon2id m=${argon2Options.memoryCost / 1024} MiB, t=${argon2Options.timeCost}, p=${argon2Options.parallelism}` }
}
