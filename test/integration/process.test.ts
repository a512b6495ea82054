import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync } from 'node:fs'
import net from 'node:net'
import os, { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { projectRoot } from '../../server/paths.js'
import { postgresUrl, usePostgres } from '../support/testApp.js'
import { dirs, niceOf, portOf, startPortal, waitFor } from '../support/process.js'

function runCli(args: string[], env: Record<string, string>, script = 'server/scripts/portal.ts'): Promise<{ code: number | null, out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env['PATH'] ?? '', ...(usePostgres ? { DATABASE_URL: postgresUrl } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { out += c.toString() })
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })))
}

describe('npm run demo:history', () => {
  it('is refused in production before anything is opened', async () => {
    const { code, out } = await runCli([], { NODE_ENV: 'production' }, 'server/scripts/demoHistory.ts')
    assert.equal(code, 2, out)
    assert.match(out, /never goes into a production database/)
  })

  it('writes a year into a database with no application, with its progress, and only once', { skip: usePostgres && 'on SQLite only: it would write into the shared test database' }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'portal-demo-'))
    dirs.push(dataDir)
    const first = await runCli([], { DATA_DIR: dataDir }, 'server/scripts/demoHistory.ts')
    assert.equal(first.code, 0, first.out)
    assert.match(first.out, /demo history: 100% \(\d+\/\d+\)/)
    assert.match(first.out, /^\d{4} applications to \d+ services by 300 made-up people, \d+ answers on satisfaction$/m)
    const second = await runCli([], { DATA_DIR: dataDir }, 'server/scripts/demoHistory.ts')
    assert.equal(second.code, 1)
    assert.match(second.out, /refused: the database already has applications/)
  })
})

describe('npm run portal -- user:create', () => {
  it('creates a staff account and emails a link to set the password', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'portal-cli-'))
    dirs.push(dataDir)
    const email = `auditor-${Date.now()}@kiemtoan.gov.vn`
    const { code, out } = await runCli(['user:create', '--email', email, '--name', 'Kiểm toán viên', '--role', 'auditor'], { DATA_DIR: dataDir })
    assert.equal(code, 0, out)
    assert.match(out, new RegExp(`created auditor ${email}`))
    if (!usePostgres) assert.equal(readdirSync(path.join(dataDir, 'mail')).length, 1)
  })

  it('refuses a bad role with one line, and shows usage when arguments are missing', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'portal-cli-'))
    dirs.push(dataDir)
    const bad = await runCli(['user:create', '--email', 'x@y.vn', '--role', 'king'], { DATA_DIR: dataDir })
    assert.equal(bad.code, 1)
    assert.match(bad.out.trim(), /^unknown role "king"; one of: citizen, officer, agency_admin, auditor, admin$/)
    const usage = await runCli(['user:create'], { DATA_DIR: dataDir })
    assert.equal(usage.code, 2)
    assert.match(usage.out, /^usage: npm run portal -- user:create/)
  })
})

describe('the portal process', () => {
  it('a bad setting stops the start with one line naming the variable', async () => {
    const portal = startPortal({ PORT: 'not-a-port' })
    assert.equal(await portal.exited, 1)
    assert.equal(portal.output().trim().split('\n').at(-1)?.startsWith('Invalid setting PORT:'), true, portal.output())
  })

  it('starts, migrates and seeds; on SIGTERM it reports not ready, finishes the request in flight, closes the database and exits 0', async () => {
    const portal = startPortal({})
    const port = await waitFor(() => /portal listening on http:\/\/localhost:(\d+)/.exec(portal.output())?.[1])
    const socket = net.connect(Number(port), '127.0.0.1')
    await new Promise((r) => socket.once('connect', r))
    let response = ''
    socket.on('data', (c: Buffer) => { response += c.toString() })
    // Half a request: the connection is busy, so shutdown must wait for it.
    socket.write('GET /readyz HTTP/1.1\r\nHost: localhost\r\n')
    await new Promise((r) => setTimeout(r, 200))
    portal.child.kill('SIGTERM')
    await waitFor(() => (portal.output().includes('shutting down') ? true : undefined))
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(portal.child.exitCode, null, 'still draining while a request is in flight')
    socket.write('\r\n')
    assert.equal(await portal.exited, 0)
    assert.match(response, /^HTTP\/1\.1 503/, 'not ready while shutting down')
    assert.match(portal.output(), /shut down cleanly/)
  })

  it('runs the background thread (deliveries, emails) at the lower CPU priority BACKGROUND_NICE sets, the web thread at its own', async () => {
    const portal = startPortal({ BACKGROUND_NICE: '7' })
    await portOf(portal)
    const pid = portal.child.pid!
    const nices = readdirSync(`/proc/${pid}/task`).map((tid) => niceOf(pid, Number(tid)))
    assert.equal(nices.filter((n) => n === 7).length, 1, `one thread at nice 7: ${nices.join(' ')}`)
    assert.equal(niceOf(pid, pid), os.getPriority(process.pid), 'the web thread keeps the priority it was started with')
    portal.child.kill('SIGTERM')
    assert.equal(await portal.exited, 0)
  })
})
