// npm run bench: the portal (compiled, production mode, its `npm start` node flags,
// 6,000 services, request log to a file) against a bare Express res.json server in the
// same run. Both servers are up for the whole run and each round loads them one after
// the other, so drift of the machine touches baseline and portal alike. Warm-up first,
// then rounds; the median of the rounds is reported; every round must have
// non2xx == 0. Loopback only, bounded in time: it stops by itself.
//
// BENCH_COMPARE=<folder>: a built checkout of another commit (npm ci && npm run build
// there) whose portal is measured in the same rounds as this one (pages, API, submit on
// SQLite), on a database of its own seeded by its own scripts: the A/B of a change.
//
// BENCH_KEEP=1 keeps the run's folder (databases, each portal's log) and says where it is.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { projectRoot } from '../server/paths.js'
import { searchAccuracy, searchQueries } from './searchQueries.js'
import { measureHashing, measureSignIns, seedBenchAccounts } from './signIns.js'
import { agencyApiCitizen, seedAgencyApi } from './agencyApi.js'
import { agencySecret, browserSession, measureLatency, seedDrafts, startBenchAgency } from './submissions.js'
import pg from 'pg'
import { startSmtpServer } from '../test/support/smtpServer.js'
import { generateSigningKey } from '../server/domain/audit/signedNote.js'
import { generateResultKey } from '../server/domain/results/resultKeys.js'
import { measureAuditLog } from './auditLog.js'
import { seedResults } from './results.js'
import { openDatabase } from '../server/db/database.js'
import { writeDemoHistory } from '../server/db/demoHistoryWriter.js'

const rounds = Number(process.env['BENCH_ROUNDS'] ?? 5)
const seconds = Number(process.env['BENCH_SECONDS'] ?? 4)
const connections = 50
const ports = { portal: 3300, bare: 3301, uncached: 3302, postgres: 3303, compare: 3304, treeOff: 3305, postgres2: 3316, proxyOne: 3317, proxyTwo: 3318 }
const compareDir = process.env['BENCH_COMPARE'] ? path.resolve(process.env['BENCH_COMPARE']) : undefined
// BENCH_ONLY=<words,…>: only the targets whose name holds one of them (and bare Express), for a quick look at one change.
// BENCH_SHOW_ROUNDS=1: each target's figures in each round as well, to see how far the rounds spread.
const showRounds = Boolean(process.env['BENCH_SHOW_ROUNDS'])
const only = process.env['BENCH_ONLY']?.split(',').map((w) => w.trim()).filter(Boolean)

const startScript = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
// BENCH_NODE_FLAGS replaces the start script's node flags, BENCH_PORTAL_ENV ("KEY=value …") adds settings
// to every portal: to measure a trade (memory against throughput) with everything else the same.
const nodeFlags = (process.env['BENCH_NODE_FLAGS'] ?? startScript).split(/\s+/).filter((w) => w.startsWith('--'))
const portalEnv = Object.fromEntries((process.env['BENCH_PORTAL_ENV'] ?? '').split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
// BENCH_PROFILE=<folder>: each portal writes a V8 CPU profile there when it stops (where a change's time goes).
if (process.env['BENCH_PROFILE']) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env['BENCH_PROFILE'])}`)

interface Target {
  name: string
  port: number
  paths: string[]
  /**
   * POST /applications/{ref}/submit, a fresh draft each time (answered with a 303).
   * otherPids: more instances the load is sent to (through the proxy); sharing: instances
   * that only share the database; database: they use PostgreSQL, whose processes' CPU is
   * reported apart.
   */
  submit?: { references: string[], session: { cookie: string, csrf: string }, portalPid: number, otherPids?: number[], sharing?: number[], database?: 'postgres' }
  /** the other commit's target measured beside this one (BENCH_COMPARE), first one round, second the next */
  pairedWith?: string
  /** requests of their own (the Agency API: a bearer key, a body) */
  requests?: autocannon.Request[]
}

/** The round's order: each pair of the A/B side by side, which of the two goes first alternating by round. */
function orderFor(targets: Target[], round: number): Target[] {
  const partners = new Set(targets.flatMap((t) => (t.pairedWith ? [t.pairedWith] : [])))
  const order: Target[] = []
  for (const t of targets) {
    if (partners.has(t.name)) continue
    const partner = t.pairedWith ? targets.find((x) => x.name === t.pairedWith) : undefined
    order.push(...(partner ? (round % 2 ? [t, partner] : [partner, t]) : [t]))
  }
  return order
}
interface Result { name: string, rps: number, p50: number, p99: number, cpu?: CpuShare, sustained?: number }

/**
 * CPU per submission (ms) of a submit load and the catching up after it, by where it was
 * spent; `database`, PostgreSQL's processes (SQLite's work is the portal's threads'), is
 * reported beside the others and not counted in the goal.
 */
interface CpuShare { web: number, background: number, bench: number, database: number }
const clockTicksMs = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim())

/** User and system CPU (ms) from a /proc stat file: a process's or one of its threads'. */
function cpuMsOf(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * clockTicksMs
}

/**
 * CPU used so far (ms): the main threads (the web) of the instances a load is sent to,
 * their other threads (background, GC, libuv) and every thread of the instances that
 * only share their database (their background threads take part in the deliveries and
 * emails), and this process.
 */
function cpuNow(submit: NonNullable<Target['submit']>): CpuShare {
  let web = 0
  let background = 0
  const loaded = [submit.portalPid, ...submit.otherPids ?? []]
  for (const pid of [...loaded, ...submit.sharing ?? []]) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const used = cpuMsOf(`/proc/${pid}/task/${tid}/stat`)
      if (tid === String(pid) && loaded.includes(pid)) web += used
      else background += used
    }
  }
  const own = process.cpuUsage()
  return { web, background, bench: (own.user + own.system) / 1000, database: submit.database ? postgresCpu() : 0 }
}

/** CPU time (ms) the PostgreSQL server's processes (postmaster, backends, WAL writer…) have used so far. */
function postgresCpu(): number {
  let used = 0
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres')) used += cpuMsOf(`/proc/${pid}/stat`)
    } catch {
      // gone meanwhile
    }
  }
  return used
}

/** Every server the run started, by pid, named after its log file. */
const serverNames = new Map<number, string>()
const serverOnPort = new Map<number, number>()

/** CPU time (ms) each server has used so far, all its threads. */
function serversCpu(): Map<number, number> {
  const used = new Map<number, number>()
  for (const pid of serverNames.keys()) {
    try {
      used.set(pid, cpuMsOf(`/proc/${pid}/stat`))
    } catch {
      // gone
    }
  }
  return used
}

function startServer(args: string[], env: Record<string, string>, logFile: string, cwd = projectRoot): Promise<ChildProcess> {
  const log = openSync(logFile, 'a')
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', log, log] })
  if (child.pid) serverNames.set(child.pid, path.basename(logFile, '.log'))
  if (child.pid && env['PORT']) serverOnPort.set(Number(env['PORT']), child.pid)
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

function requestsFor(target: Target): autocannon.Request[] {
  if (target.requests) return target.requests
  const submit = target.submit
  // A long list is taken in turn by all connections, one request at a time. Given as
  // autocannon's list, each connection would build every request of it before its first
  // one, 1,250 × 50 of them for the uncached search: the load's first 400 ms went into
  // that, and the answers that came meanwhile were counted as that late.
  if (!submit && target.paths.length > 50) {
    let next = 0
    return [{ method: 'GET', setupRequest: (req) => ({ ...req, path: target.paths[next++ % target.paths.length]! }) }]
  }
  if (!submit) return target.paths.map((p) => ({ method: 'GET', path: p }))
  const body = new URLSearchParams({ _csrf: submit.session.csrf }).toString()
  const headers = { cookie: submit.session.cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.200.0.1' }
  return [{
    method: 'POST',
    setupRequest: (req) => {
      const reference = submit.references.pop()
      if (!reference) throw new Error('out of prepared drafts')
      return { ...req, path: `/applications/${reference}/submit`, headers, body }
    },
  }]
}

function load(target: Target, duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({
      url: `http://127.0.0.1:${target.port}`, connections, duration, pipelining: 1, requests: requestsFor(target),
    }, (err, result) => (err ? reject(err) : resolve(result)))
  })
}

/** Busy and total CPU time of the whole machine so far (/proc/stat, clock ticks). */
function machineCpu(): { busy: number, total: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const total = ticks.reduce((a, b) => a + b, 0)
  return { busy: total - ticks[3]! - (ticks[4] ?? 0), total }
}

/**
 * Waits (5 s at most) until the machine is quiet: under 10 % busy over 100 ms. When a
 * load stops, its server still answers the requests it had read (the uncached search
 * portal for up to two seconds), collects its garbage and flushes its log; PostgreSQL
 * writes behind. Without this the next target, whichever it is, would pay for that.
 * False when the machine was still busy after 5 s (the run says which targets started so).
 */
async function untilQuiet(): Promise<boolean> {
  const until = performance.now() + 5_000
  let last = machineCpu()
  while (performance.now() < until) {
    await new Promise((r) => setTimeout(r, 100))
    const now = machineCpu()
    const busy = (now.busy - last.busy) / Math.max(1, now.total - last.total)
    last = now
    if (busy < 0.1) return true
  }
  return false
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/**
 * Every target in turn, each round. After a submit load the run waits until the
 * background (deliveries, emails) has caught up, so that the next target, the bare
 * baseline among them, is not measured against the portal's leftover work.
 */
async function measureAll(targets: Target[], settle: () => Promise<void>): Promise<Result[]> {
  for (const t of targets) {
    await untilQuiet()
    await load(t, 2) // warm-up: JIT, caches, connection pools
    if (t.submit) await settle()
  }
  const runs = new Map<string, autocannon.Result[]>(targets.map((t) => [t.name, []]))
  const cpu = new Map<string, CpuShare[]>(targets.map((t) => [t.name, []]))
  // Submissions a second counted to the moment the last one was delivered and emailed.
  const sustained = new Map<string, number[]>(targets.map((t) => [t.name, []]))
  for (let round = 1; round <= rounds; round++) {
    for (const t of orderFor(targets, round)) {
      if (!await untilQuiet()) process.stdout.write(`  round ${round}: ${t.name} started on a machine still busy after 5 s\n`)
      const before = t.submit ? cpuNow(t.submit) : undefined
      const started = performance.now()
      const serversBefore = showRounds ? serversCpu() : undefined
      const r = await load(t, seconds)
      // With BENCH_SHOW_ROUNDS: the servers other than the target's that used CPU during its load (leftover work).
      const targeted = [serverOnPort.get(t.port), t.submit?.portalPid, ...t.submit?.otherPids ?? [], ...t.submit?.sharing ?? []]
      const others = serversBefore
        ? [...serversCpu()].filter(([pid]) => !targeted.includes(pid))
            .map(([pid, ms]) => [serverNames.get(pid)!, ms - (serversBefore.get(pid) ?? ms)] as const).filter(([, ms]) => ms >= 100)
        : []
      if (t.submit && before) {
        await settle()
        sustained.get(t.name)!.push(r['3xx'] / ((performance.now() - started) / 1000))
        const after = cpuNow(t.submit)
        const per = (k: keyof CpuShare) => (after[k] - before[k]) / r['3xx']
        cpu.get(t.name)!.push({ web: per('web'), background: per('background'), bench: per('bench'), database: per('database') })
      }
      // A submit answers 303 (to the confirmation); everything else must be 2xx.
      const unexpected = t.submit ? r.non2xx - r['3xx'] + r['2xx'] : r.non2xx
      if (unexpected !== 0 || r.errors !== 0 || r.timeouts !== 0) {
        throw new Error(`${t.name}: ${unexpected} unexpected statuses, ${r.errors} errors, ${r.timeouts} timeouts`)
      }
      runs.get(t.name)!.push(r)
      if (showRounds) {
        process.stdout.write(`    ${t.name}: ${Math.round(r.requests.average)}/s, p99 ${r.latency.p99} ms`
          + `${others.length ? `; CPU of other servers meanwhile: ${others.map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', ')}` : ''}\n`)
      }
    }
    process.stdout.write(`  round ${round}/${rounds} done\n`)
  }
  return targets.map((t) => {
    const rs = runs.get(t.name)!
    const cs = cpu.get(t.name)!
    const ss = sustained.get(t.name)!
    return {
      ...(ss.length ? { sustained: median(ss) } : {}),
      name: t.name, rps: median(rs.map((r) => r.requests.average)), p50: median(rs.map((r) => r.latency.p50)), p99: median(rs.map((r) => r.latency.p99)),
      ...(cs.length
        ? { cpu: { web: median(cs.map((c) => c.web)), background: median(cs.map((c) => c.background)), bench: median(cs.map((c) => c.bench)),
            database: median(cs.map((c) => c.database)) } }
        : {}),
    }
  })
}

async function countRows(file: string, table: string): Promise<number> {
  const sqlite = new (await import('better-sqlite3')).default(file, { readonly: true })
  try {
    return (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n
  } finally {
    sqlite.close()
  }
}

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'portal-bench-'))
  const env = {
    NODE_ENV: 'production', SESSION_SECRET: 'bench-only-secret-bench-only-secret-0123', DATA_DIR: work,
    PUBLIC_URL: 'http://127.0.0.1:3300', SMTP_URL: '', LOG_LEVEL: 'info', HOST: '127.0.0.1', SEED_CATALOGUE: 'false',
    AUDIT_SIGNING_KEY: generateSigningKey('127.0.0.1:3300/audit-log').text, RESULT_SIGNING_KEY: generateResultKey(),
    // The bench plays the TLS proxy in front (X-Forwarded-Proto: https), from loopback.
    TRUST_PROXY: 'loopback', ...portalEnv }
  const servers: ChildProcess[] = []
  let compareWork: string | undefined
  let treeOffWork: string | undefined
  const agency = await startBenchAgency()
  // A real SMTP server on loopback: every status email really goes out, through the mail queue.
  const smtp = await startSmtpServer()
  env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`
  Object.assign(env, {
    AGENCY_ENDPOINTS: JSON.stringify({ 'cong-an-cap-xa': { url: agency.url, secret: agencySecret } }), AGENCY_ENDPOINT_ALLOW: '127.0.0.1/32',
    // One key loads the API here; the limit is for agencies, not for the bench.
    AGENCY_API_RATE_PER_MINUTE: '100000000',
  })
  const pgDatabase = `bench_${process.pid}`
  let pgConnected = false
  const pgAdmin = new pg.Client({ connectionString: process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres' })
  process.stdout.write(`Node ${process.version}; portal node flags: ${nodeFlags.join(' ')}${Object.keys(portalEnv).length ? `; portal settings ${JSON.stringify(portalEnv)}` : ''}\n`)
  process.stdout.write(`${connections} connections; ${rounds} rounds × ${seconds} s per target after a 2 s warm-up; median of rounds\n`)
  try {
    const seeded = execFileSync(process.execPath, ['dist/server/scripts/seedScale.js'], { cwd: projectRoot, env: { ...process.env, ...env } }).toString().trim()
    process.stdout.write(`${seeded}\n`)
    // A year of history for the statistics pages, as outside production (the portal itself never writes it in production).
    const history = openDatabase({ dataDir: work })
    const written = await writeDemoHistory(history.db, new Date()).finally(() => history.close())
    process.stdout.write(`demo history: ${written.applications} applications over a year, ${written.ratings} answers on satisfaction\n`)
    const benchAccounts = await seedBenchAccounts(work, 400)
    // Queries as people type them, each with the service it looks for (bench/searchQueries.ts).
    const benchSearches = await searchQueries(work)
    const drafts = await seedDrafts({ dataDir: work }, 60_000)
    const agencyApi = await seedAgencyApi({ dataDir: work }, 60_000)
    process.stdout.write('seeded 400 accounts, 60,000 drafts and 60,000 received applications\n')
    // Result documents issued one after the other (the time per document), then checked on /verify under load.
    const resultDocs = await seedResults({ dataDir: work, publicUrl: env.PUBLIC_URL, signingKey: env.RESULT_SIGNING_KEY }, 200)
    process.stdout.write(`issued ${resultDocs.count} result documents\n`)
    servers.push(await startServer(['--import', 'tsx', 'bench/bareExpress.ts'], { PORT: String(ports.bare) }, path.join(work, 'bare.log')))
    const portal = await startServer([...nodeFlags, 'dist/server/index.js'], { ...env, PORT: String(ports.portal) }, path.join(work, 'portal.log'))
    servers.push(portal)
    // The same portal with the catalogue cache off: what each search costs the database.
    // A second instance on the same database: its background thread takes part in the
    // deliveries and emails of the submissions, so its CPU counts with theirs.
    const uncached = await startServer([...nodeFlags, 'dist/server/index.js'],
      { ...env, PORT: String(ports.uncached), CATALOGUE_CACHE_SECONDS: '0' }, path.join(work, 'uncached.log'))
    servers.push(uncached)

    const searches = ['dang ky khai sinh', 'ho chieu', 'giay phep lao dong', 'thue thu nhap ca nhan', 'dat dai', 'passport', 'permis de conduire', 'cap lai giay phep']
    const searchPaths = searches.map((q) => `/search?q=${encodeURIComponent(q)}`)
    const statisticsPaths = ['/statistics', '/statistics/agencies/cong-an-cap-xa', '/statistics/services/dang-ky-tam-tru']
    const targets: Target[] = [
      { name: 'bare Express res.json', port: ports.bare, paths: ['/'] },
      { name: 'home page', port: ports.portal, paths: ['/'] },
      { name: 'service page', port: ports.portal, paths: ['/services/dang-ky-khai-sinh'] },
      { name: 'search page', port: ports.portal, paths: searchPaths },
      { name: 'JSON API search', port: ports.portal, paths: searches.map((q) => `/api/v1/services?q=${encodeURIComponent(q)}`) },
      { name: '/healthz', port: ports.portal, paths: ['/healthz'] },
      { name: 'verify by printed code', port: ports.portal, paths: resultDocs.issued.map((r) => `/verify/${r.code}`) },
      { name: 'verify by QR token', port: ports.portal, paths: resultDocs.issued.map((r) => `/verify?t=${r.token}`) },
      // Every query different, none twice in a row: each one searched, none served from a cache.
      { name: 'search page, no cache', port: ports.uncached, paths: benchSearches.map((s) => `/search?q=${encodeURIComponent(s.q)}&lang=${s.lang}`) },
      // The whole portal's, an agency's and a service's statistics, from the hourly snapshot; with and without the page cache.
      { name: 'statistics pages', port: ports.portal, paths: statisticsPaths },
      { name: 'statistics pages, no cache', port: ports.uncached, paths: statisticsPaths },
      { name: 'statistics JSON', port: ports.portal, paths: statisticsPaths.map((p) => `/api/v1${p}`) },
    ]
    const session = await browserSession(ports.portal, drafts.email)
    const latencyDrafts = drafts.references.splice(0, 1_000)
    targets.push({ name: 'submit (SQLite)', port: ports.portal, paths: [], submit: { references: drafts.references, session, portalPid: portal.pid!, sharing: [uncached.pid!] } })

    // The same portal with the audit log's Merkle tree off (AUDIT_TREE=off, its own data
    // folder), paired with the one above: what placing and signing costs submissions.
    treeOffWork = mkdtempSync(path.join(tmpdir(), 'portal-bench-tree-off-'))
    const treeOffEnv = { ...env, DATA_DIR: treeOffWork, AUDIT_TREE: 'off', PUBLIC_URL: `http://127.0.0.1:${ports.treeOff}` }
    execFileSync(process.execPath, ['dist/server/scripts/seedScale.js'], { cwd: projectRoot, env: { ...process.env, ...treeOffEnv } })
    const treeOffDrafts = await seedDrafts({ dataDir: treeOffWork }, 60_000)
    // The same rows as the portal's database beside them (a larger database costs submissions by itself).
    await seedAgencyApi({ dataDir: treeOffWork }, 60_000)
    const treeOff = await startServer([...nodeFlags, 'dist/server/index.js'], { ...treeOffEnv, PORT: String(ports.treeOff) }, path.join(work, 'tree-off.log'))
    servers.push(treeOff)
    targets.push({
      name: 'submit (SQLite, tree off)', port: ports.treeOff, paths: [],
      submit: { references: treeOffDrafts.references, session: await browserSession(ports.treeOff, treeOffDrafts.email), portalPid: treeOff.pid! },
    })
    targets.find((t) => t.name === 'submit (SQLite)')!.pairedWith = 'submit (SQLite, tree off)'

    // The other commit's portal, in the same rounds: its own database, seeded by its own scripts.
    compareWork = compareDir ? mkdtempSync(path.join(tmpdir(), 'portal-bench-compare-')) : undefined
    let compareApi: { token: string, references: string[], rev: string } | undefined
    if (compareDir && compareWork) {
      const rev = execFileSync('git', ['-C', compareDir, 'rev-parse', '--short', 'HEAD']).toString().trim()
      const compareEnv = { ...env, DATA_DIR: compareWork, PUBLIC_URL: `http://127.0.0.1:${ports.compare}` }
      execFileSync(process.execPath, ['dist/server/scripts/seedScale.js'], { cwd: compareDir, env: { ...process.env, ...compareEnv } })
      const compareDrafts = await seedDrafts({ dataDir: compareWork, migrate: false }, 60_000)
      // The same rows as this portal's database (a larger database costs submissions by itself), and the Agency API's key.
      compareApi = { ...await seedAgencyApi({ dataDir: compareWork }, 60_000), rev }
      const compared = await startServer([...nodeFlags, 'dist/server/index.js'], { ...compareEnv, PORT: String(ports.compare) }, path.join(work, 'compare.log'), compareDir)
      servers.push(compared)
      process.stdout.write(`comparing with ${rev} (${compareDir}) in the same rounds\n`)
      const session = await browserSession(ports.compare, compareDrafts.email)
      const submit = { references: compareDrafts.references, session, portalPid: compared.pid! }
      const theirs: Array<[string, Omit<Target, 'name' | 'port'>]> = [
        ['home page', { paths: ['/'] }],
        ['service page', { paths: ['/services/dang-ky-khai-sinh'] }],
        ['search page', { paths: searchPaths }],
        ['JSON API search', { paths: searches.map((q) => `/api/v1/services?q=${encodeURIComponent(q)}`) }],
        ['submit (SQLite)', { paths: [], submit }],
      ]
      for (const [name, target] of theirs) {
        targets.push({ name: `${rev} ${name}`, port: ports.compare, ...target })
        targets.find((t) => t.name === name)!.pairedWith = `${rev} ${name}`
      }
    }

    // The same on PostgreSQL: a portal instance on a fresh database, synchronous_commit on.
    await pgAdmin.connect()
    pgConnected = true
    await pgAdmin.query(`create database ${pgDatabase}`)
    const pgUrl = (process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(/\/[^/]*$/, `/${pgDatabase}`)
    const pgCheck = new pg.Client({ connectionString: pgUrl })
    await pgCheck.connect()
    const syncCommit = (await pgCheck.query<{ synchronous_commit: string }>('show synchronous_commit')).rows[0]!.synchronous_commit
    await pgCheck.end()
    execFileSync(process.execPath, ['dist/server/scripts/seedScale.js'], { cwd: projectRoot, env: { ...process.env, ...env, DATABASE_URL: pgUrl } })
    const pgDrafts = await seedDrafts({ databaseUrl: pgUrl }, 40_000)
    const pgPortal = await startServer([...nodeFlags, 'dist/server/index.js'], { ...env, DATABASE_URL: pgUrl, PORT: String(ports.postgres) }, path.join(work, 'postgres.log'))
    servers.push(pgPortal)
    // One PostgreSQL, a second instance beside the first, and a loopback proxy in front
    // (bench/proxy.ts, a process of its own): submissions through it to one instance and
    // to both in turn. Sessions are in the database, so either instance answers a browser.
    // The second instance's background thread takes part in the first one's deliveries
    // and emails: its CPU counts with the submissions sent to the first alone.
    const pgPortal2 = await startServer([...nodeFlags, 'dist/server/index.js'], { ...env, DATABASE_URL: pgUrl, PORT: String(ports.postgres2) }, path.join(work, 'postgres2.log'))
    servers.push(pgPortal2)
    targets.push({
      name: 'submit (PostgreSQL)', port: ports.postgres, paths: [],
      submit: {
        references: pgDrafts.references, session: await browserSession(ports.postgres, pgDrafts.email), portalPid: pgPortal.pid!, sharing: [pgPortal2.pid!], database: 'postgres',
      },
    })
    for (const [port, backends] of [[ports.proxyOne, [ports.postgres]], [ports.proxyTwo, [ports.postgres, ports.postgres2]]] as const) {
      servers.push(await startServer(['--import', 'tsx', 'bench/proxy.ts'], { PORT: String(port), BACKENDS: backends.join(',') }, path.join(work, `proxy-${port}.log`)))
    }
    for (const [name, port, pids, sharing] of [
      ['submit (PostgreSQL, proxy, one instance)', ports.proxyOne, [pgPortal.pid!], [pgPortal2.pid!]],
      ['submit (PostgreSQL, proxy, two instances)', ports.proxyTwo, [pgPortal.pid!, pgPortal2.pid!], []],
    ] as const) {
      const drafts = await seedDrafts({ databaseUrl: pgUrl, migrate: false }, 30_000)
      const session = await browserSession(port, drafts.email)
      const submit = { references: drafts.references, session, portalPid: pids[0], otherPids: pids.slice(1), sharing: [...sharing], database: 'postgres' as const }
      targets.push({ name, port, paths: [], submit })
    }

    // This machine's PostgreSQL runs with autovacuum off (a CI setting); a production
    // server's autovacuum would have analysed the freshly seeded tables by now.
    const pgAnalyze = new pg.Client({ connectionString: pgUrl })
    await pgAnalyze.connect()
    await pgAnalyze.query('analyze')
    await pgAnalyze.end()

    // Last in each round: the status events' emails are worked off while the next round starts with bare Express.
    const bearer = { authorization: `Bearer ${agencyApi.token}` }
    const readReference = agencyApi.references.pop()!
    targets.push({
      name: 'Agency API: one application', port: ports.portal, paths: [],
      requests: [{ method: 'GET', path: `/api/v1/agency/applications/${readReference}`, headers: bearer }],
    })
    if (compareApi) {
      const theirs = `${compareApi.rev} Agency API: one application`
      targets.push({
        name: theirs, port: ports.compare, paths: [],
        requests: [{ method: 'GET', path: `/api/v1/agency/applications/${compareApi.references.pop()!}`, headers: { authorization: `Bearer ${compareApi.token}` } }],
      })
      targets.find((t) => t.name === 'Agency API: one application')!.pairedWith = theirs
    }
    targets.push({
      name: 'Agency API: status event', port: ports.portal, paths: [],
      requests: [{
        method: 'POST',
        setupRequest: (req) => {
          const reference = agencyApi.references.pop()
          if (!reference) throw new Error('out of received applications')
          return {
            ...req, path: `/api/v1/agency/applications/${reference}/events`, body: '{"status":"in_review"}',
            headers: { ...bearer, 'content-type': 'application/json', 'idempotency-key': `bench-${reference}` },
          }
        },
      }],
    })
    // Delivery and email follow each submission asynchronously (outbox, mail queue); each
    // submission has one outbox row (the Agency API's applications, seeded as received, none).
    const submittedCount = async () => {
      let n = 0
      for (const dir of [work, compareWork, treeOffWork].filter((d) => d !== undefined)) {
        const sqlite = new (await import('better-sqlite3')).default(path.join(dir, 'portal.db'), { readonly: true })
        n += (sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n
        sqlite.close()
      }
      const pgClient = new pg.Client({ connectionString: pgUrl })
      await pgClient.connect()
      const m = Number((await pgClient.query<{ n: string }>('select count(*) as n from outbox')).rows[0]!.n)
      await pgClient.end()
      return n + m
    }
    // Counted as they come, not by a pass over every email at each poll.
    let emailsSeen = 0
    let emailsOfSubmissions = 0
    const submissionEmails = () => {
      for (; emailsSeen < smtp.received.length; emailsSeen++) if (!smtp.received[emailsSeen]!.to.includes(agencyApiCitizen)) emailsOfSubmissions++
      return emailsOfSubmissions
    }
    // How far behind were delivery and email when a submit load stopped, and how long
    // until both had caught up? (the worst of the rounds)
    const behind = { delivered: 0, emailed: 0, deliveredAfter: 0, emailedAfter: 0, emailRates: [] as number[] }
    const settle = async () => {
      const loadEnded = performance.now()
      const submitted = await submittedCount()
      behind.delivered = Math.max(behind.delivered, submitted - agency.arrivals.size)
      const emailBacklog = submitted - submissionEmails()
      behind.emailed = Math.max(behind.emailed, emailBacklog)
      const caughtUp = async (count: () => number) => {
        while (count() < submitted) {
          if (performance.now() - loadEnded > 120_000) throw new Error(`the background did not catch up within 120 s (${count()} of ${submitted})`)
          await new Promise((r) => setTimeout(r, 50))
        }
        return (performance.now() - loadEnded) / 1000
      }
      behind.deliveredAfter = Math.max(behind.deliveredAfter, await caughtUp(() => agency.arrivals.size))
      const emailedAfter = await caughtUp(submissionEmails)
      behind.emailedAfter = Math.max(behind.emailedAfter, emailedAfter)
      // How fast the mail queue works off a backlog through a real SMTP server (pooled connections).
      if (emailBacklog >= 200) behind.emailRates.push(emailBacklog / emailedAfter)
    }
    const chosen = only ? targets.filter((t, i) => i === 0 || only.some((w) => t.name.includes(w))) : targets
    const accuracy = await searchAccuracy(ports.uncached, benchSearches)
    process.stdout.write(`search: ${benchSearches.length} distinct queries; the expected service first for ${accuracy.first} (${(100 * accuracy.first / benchSearches.length).toFixed(1)} %): ${accuracy.byKind}\n`)
    const results = await measureAll(chosen, settle)
    // A target left out by BENCH_ONLY counts as not measured (NaN), and its goal is said to be.
    const byName = (n: string) => results.find((r) => r.name === n) ?? { name: n, rps: Number.NaN, p50: Number.NaN, p99: Number.NaN } satisfies Result
    const rss = residentMb(portal.pid!)
    const submittedTotal = await submittedCount()
    const baseline = results[0]!
    process.stdout.write(`\n  ${'target'.padEnd(24)} ${'req/s'.padStart(7)} ${'ratio'.padStart(7)}  p50   p99\n`)
    for (const r of results) {
      process.stdout.write(`  ${r.name.padEnd(24)} ${r.rps.toFixed(0).padStart(7)} ${(r.rps / baseline.rps).toFixed(3).padStart(6)}×  ${String(r.p50).padStart(3)} ms ${String(r.p99).padStart(3)} ms\n`)
    }
    for (const r of results.filter((x) => x.sustained)) {
      process.stdout.write(`  ${r.name}: ${r.rps.toFixed(0)} submissions/s answered during the load; ${r.sustained!.toFixed(0)}/s counted until the last was delivered and emailed\n`)
    }
    for (const r of results.filter((x) => x.cpu)) {
      const c = r.cpu!
      process.stdout.write(`  ${r.name}: CPU per submission ${(c.web + c.background + c.bench).toFixed(2)} ms = portal web thread ${c.web.toFixed(2)}`
        + ` + portal other threads (background, GC; an instance sharing the database) ${c.background.toFixed(2)} + bench process (load, agency, SMTP server) ${c.bench.toFixed(2)}${c.database ? `; besides, the PostgreSQL server ${c.database.toFixed(2)} (not counted)` : ''}\n`)
    }
    process.stdout.write(`\nportal resident memory after the load: ${rss.toFixed(0)} MB\n`)
    process.stdout.write(`submissions accepted (SQLite and PostgreSQL, with warm-ups): ${submittedTotal}; at the end of a submit load at most ${behind.delivered} deliveries\n`)
    process.stdout.write(`  and ${behind.emailed} status emails were still to go; every application was received within ${behind.deliveredAfter.toFixed(1)} s and every email sent\n`)
    process.stdout.write(`  within ${behind.emailedAfter.toFixed(1)} s after a load stopped (the next target waited for that)\n`)
    if (behind.emailRates.length) process.stdout.write(`  the mail queue worked off its backlog at ${median(behind.emailRates).toFixed(0)} emails/s (median of the loads)\n`)

    // Sign-ins: the cost of argon2id at national scale.
    const hashing = await measureHashing(5, 4)
    const signIns = await measureSignIns(ports.portal, benchAccounts, 10, 8)
    if (signIns.failures) throw new Error(`${signIns.failures} sign-ins failed`)
    process.stdout.write(`\nsign-in (${hashing.params}), 8 browsers at once for 10 s, each GET form + POST:\n`)
    process.stdout.write(`  ${signIns.perSecond.toFixed(1)} sign-ins/s, p50 ${signIns.p50} ms, p99 ${signIns.p99} ms (${signIns.count} sign-ins)\n`)
    process.stdout.write(`  argon2id verifications alone, 4 at once in one process: ${hashing.perSecond.toFixed(1)}/s\n`)
    // Submit-to-received at a steady 100 submissions a second, the dispatcher delivering
    // to the loopback agency (after the load above has drained).
    await new Promise((r) => setTimeout(r, 3_000))
    const latency = await measureLatency(ports.portal, session, latencyDrafts, agency, 100, 10)
    process.stdout.write(`\nsubmit → agency received (SQLite, 100 submissions/s for 10 s): p50 ${latency.p50} ms, p99 ${latency.p99} ms; ${latency.count} sent, ${latency.lost} not received\n`)
    process.stdout.write(`durability: SQLite journal_mode=WAL, each commit's log flushed before it is acknowledged; PostgreSQL synchronous_commit=${syncCommit}\n`)

    // The audit log: the request log's writer, the sequencer and audit:verify on their own.
    const auditFigures = await measureAuditLog(100_000, 200_000)
    const requestRows = await countRows(path.join(work, 'portal.db'), 'request_log')
    process.stdout.write(`\naudit log (in the bench process, SQLite): request-log rows written ${auditFigures.requestRowsPerSecond.toFixed(0)}/s through the writer;`
      + ` ${auditFigures.placedPerSecond.toFixed(0)} entries/s placed in the Merkle tree; audit:verify of ${auditFigures.entries} entries`
      + ` and ${auditFigures.checkpoints} checkpoints ${auditFigures.verifySeconds.toFixed(2)} s\n`)
    process.stdout.write(`  the portal's request log holds ${requestRows} rows after the loads (every request past static files and /healthz)\n`)
    process.stdout.write(`\nresult documents (in the bench process, SQLite): ${resultDocs.count} issued one after the other, `
      + `${resultDocs.issueMedian.toFixed(1)} ms each (median: PDF, token, file, record and audit entry; the first, loading pdfkit and the font, `
      + `${resultDocs.first.toFixed(0)} ms); the PDF alone ${resultDocs.renderMedian.toFixed(1)} ms\n`)
    const treeOn = byName('submit (SQLite)').rps
    const treeOffRps = byName('submit (SQLite, tree off)').rps
    // Each goal with what this run measured; beside a goal in milliseconds, bare Express's
    // own figure in the same run, since those goals do not scale with the machine as ratios do.
    const ratio = (name: string) => byName(name).rps / baseline.rps
    const x = (name: string) => `${ratio(name).toFixed(3)}×`
    const bareP99 = `bare Express's own p99 ${baseline.p99} ms`
    const pgCpu = byName('submit (PostgreSQL)').cpu
    const pgCpuMs = pgCpu ? pgCpu.web + pgCpu.background + pgCpu.bench : Number.NaN
    const goals: Array<[string, boolean, string]> = [
      ['submissions (SQLite) ≥ 1,000/s', byName('submit (SQLite)').rps >= 1000, `${byName('submit (SQLite)').rps.toFixed(0)}/s`],
      ['submissions (SQLite) ≥ 0.12× bare Express', ratio('submit (SQLite)') >= 0.12, x('submit (SQLite)')],
      ['submit → received p50 ≤ 50 ms', latency.p50 <= 50 && latency.lost === 0, `${latency.p50} ms, ${latency.lost} lost`],
      ['submit → received p99 ≤ 250 ms', latency.p99 <= 250 && latency.lost === 0, `${latency.p99} ms, ${latency.lost} lost`],
      ['home page ≥ 0.5× bare Express', ratio('home page') >= 0.5, x('home page')],
      ['service page ≥ 0.5× bare Express', ratio('service page') >= 0.5, x('service page')],
      [`search page p99 ≤ 20 ms at 6,000 services, ${connections} connections`, byName('search page').p99 <= 20, `${byName('search page').p99} ms; ${bareP99}`],
      ['search page without cache ≥ 0.3× bare Express (1,000+ distinct queries)', ratio('search page, no cache') >= 0.3, x('search page, no cache')],
      ['search page without cache p99 ≤ 30 ms', byName('search page, no cache').p99 <= 30, `${byName('search page, no cache').p99} ms; ${bareP99}`],
      ['statistics pages ≥ 0.3× bare Express', ratio('statistics pages') >= 0.3, x('statistics pages')],
      ['search: the expected service first for ≥ 95 % of the queries', accuracy.first >= 0.95 * benchSearches.length, `${accuracy.first} of ${benchSearches.length}`],
      ['submissions (PostgreSQL, synchronous_commit on) ≥ 0.08× bare Express', ratio('submit (PostgreSQL)') >= 0.08, x('submit (PostgreSQL)')],
      ['CPU per PostgreSQL submission ≤ 3 ms (the database server not counted)', pgCpuMs <= 3, `${pgCpuMs.toFixed(2)} ms`],
      ['resident memory ≤ 150 MB after the load', rss <= 150, `${rss.toFixed(0)} MB`],
      ['Agency API: one application ≥ 0.3× bare Express', ratio('Agency API: one application') >= 0.3, x('Agency API: one application')],
      ['Agency API: status events (durable) ≥ 0.1× bare Express', ratio('Agency API: status event') >= 0.1, x('Agency API: status event')],
      ['submissions fall ≤ 10 % with the audit tree on', treeOn >= 0.9 * treeOffRps, `${treeOn.toFixed(0)} against ${treeOffRps.toFixed(0)}/s`],
    ]
    process.stdout.write('\ngoals:\n')
    for (const [goal, met, measured] of goals) process.stdout.write(`  ${met ? 'met    ' : 'NOT MET'} ${goal}: ${measured.includes('NaN') ? 'not measured' : measured}\n`)
    if (only) process.stdout.write(`  (BENCH_ONLY=${only.join(',')}: the goals of targets not measured say NOT MET)\n`)
  } finally {
    for (const s of servers) await stop(s)
    await agency.close()
    await smtp.close()
    // Never connected (the run failed before): a query would wait for the connection forever.
    if (pgConnected) await pgAdmin.query(`drop database if exists ${pgDatabase}`).catch(() => {})
    if (pgConnected) await pgAdmin.end().catch(() => {})
    if (process.env['BENCH_KEEP']) process.stdout.write(`kept ${work}\n`); else rmSync(work, { recursive: true, force: true })
    if (compareWork) rmSync(compareWork, { recursive: true, force: true })
    if (treeOffWork) rmSync(treeOffWork, { recursive: true, force: true })
  }
}

await main()
