// npm run bench: the portal (compiled, production mode, 6,000 services, request logs to
// a file) and a bare Express res.json server, loaded one after the other in the same
// run with autocannon: warm-up, then rounds, median; every round must have non2xx == 0.
// Loopback only, bounded in time; it stops by itself.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { projectRoot } from '../server/paths.js'

const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3)
const seconds = Number(process.env['BENCH_SECONDS'] ?? 5)
const connections = 50
const portalPort = 3300
const barePort = 3301

interface Result { name: string, rps: number, p99: number, p50: number }

function startServer(args: string[], env: Record<string, string>, logFile: string): Promise<ChildProcess> {
  const log = openSync(logFile, 'a')
  const child = spawn(process.execPath, args, { cwd: projectRoot, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', log, log] })
  return new Promise((resolve, reject) => {
    const until = Date.now() + 30_000
    const poll = setInterval(() => {
      const text = readFileSync(logFile, 'utf8')
      if (/listening/.test(text)) { clearInterval(poll); resolve(child) }
      if (child.exitCode !== null || Date.now() > until) { clearInterval(poll); reject(new Error(`server did not start: ${text.slice(-500)}`)) }
    }, 100)
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

function load(url: string, paths: string[], duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({
      url, connections, duration, pipelining: 1,
      requests: paths.map((p) => ({ method: 'GET', path: p })),
    }, (err, result) => (err ? reject(err) : resolve(result)))
  })
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function measure(name: string, base: string, paths: string[]): Promise<Result> {
  await load(base, paths, 2) // warm-up: JIT, caches, connection pool
  const runs: autocannon.Result[] = []
  for (let i = 0; i < rounds; i++) {
    const r = await load(base, paths, seconds)
    if (r.non2xx !== 0 || r.errors !== 0 || r.timeouts !== 0) {
      throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`)
    }
    runs.push(r)
  }
  const result = { name, rps: median(runs.map((r) => r.requests.average)), p99: median(runs.map((r) => r.latency.p99)), p50: median(runs.map((r) => r.latency.p50)) }
  process.stdout.write(`  ${name.padEnd(22)} ${result.rps.toFixed(0).padStart(7)} req/s   p50 ${result.p50} ms   p99 ${result.p99} ms\n`)
  return result
}

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'portal-bench-'))
  const env = { NODE_ENV: 'production', SESSION_SECRET: 'bench-only-secret-bench-only-secret-0123', DATA_DIR: work, LOG_LEVEL: 'info' }
  process.stdout.write(`Node ${process.version}, ${connections} connections, ${rounds} rounds × ${seconds} s after a 2 s warm-up, median\n`)
  try {
    const seeded = execFileSync(process.execPath, ['dist/server/scripts/seedScale.js'], { cwd: projectRoot, env: { ...process.env, ...env } }).toString().trim()
    process.stdout.write(`${seeded}\n`)

    const bare = await startServer(['--import', 'tsx', 'bench/bareExpress.ts'], { PORT: String(barePort) }, path.join(work, 'bare.log'))
    process.stdout.write('bare Express 5 (res.json):\n')
    const baseline = await measure('res.json', `http://127.0.0.1:${barePort}`, ['/'])
    await stop(bare)

    const portal = await startServer(['dist/server/index.js'], { ...env, PORT: String(portalPort), HOST: '127.0.0.1', SEED_CATALOGUE: 'false' }, path.join(work, 'portal.log'))
    process.stdout.write('portal (production, full middleware stack, request log to a file):\n')
    const base = `http://127.0.0.1:${portalPort}`
    const searches = ['dang ky khai sinh', 'ho chieu', 'giay phep lao dong', 'thue thu nhap ca nhan', 'dat dai', 'passport', 'permis de conduire', 'cap lai giay phep']
    const results = [
      await measure('home page', base, ['/']),
      await measure('service page', base, ['/services/dang-ky-khai-sinh']),
      await measure('search page (8 queries)', base, searches.map((q) => `/search?q=${encodeURIComponent(q)}`)),
      await measure('JSON API search', base, searches.map((q) => `/api/v1/services?q=${encodeURIComponent(q)}`)),
      await measure('/healthz', base, ['/healthz']),
    ]
    const rss = residentMb(portal.pid!)
    await stop(portal)

    process.stdout.write('\nratio to bare Express res.json (same run):\n')
    for (const r of results) process.stdout.write(`  ${r.name.padEnd(22)} ${(r.rps / baseline.rps).toFixed(2)}×\n`)
    process.stdout.write(`\nportal resident memory after the load: ${rss.toFixed(0)} MB\n`)
    const search = results[2]!
    const goals = [
      [`home ≥ 0.5× bare Express`, results[0]!.rps / baseline.rps >= 0.5],
      [`service page ≥ 0.5× bare Express`, results[1]!.rps / baseline.rps >= 0.5],
      [`search p99 ≤ 20 ms at 6,000 services, ${connections} connections`, search.p99 <= 20],
      [`resident memory ≤ 150 MB`, rss <= 150],
    ] as const
    process.stdout.write('\ngoals:\n')
    for (const [goal, met] of goals) process.stdout.write(`  ${met ? 'met    ' : 'NOT MET'} ${goal}\n`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
