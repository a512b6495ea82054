import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after } from 'node:test'
import { projectRoot } from '../../server/paths.js'
import { postgresUrl, usePostgres } from './testApp.js'

// The real portal process (tsx server/index.ts), for tests of starting, stopping and
// crashing. Every process and directory made here is cleaned up after the file's tests.
export const dirs: string[] = []
const children: ChildProcess[] = []
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

export function newDataDir(): string {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'portal-process-'))
  dirs.push(dataDir)
  return dataDir
}

export interface RunningPortal { child: ChildProcess, output: () => string, exited: Promise<number | null> }

export function startPortal(env: Record<string, string>, dataDir = newDataDir()): RunningPortal {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: projectRoot,
    env: {
      PATH: process.env['PATH'] ?? '', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', DEMO_HISTORY: 'off',
      ...(usePostgres ? { DATABASE_URL: postgresUrl } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let out = ''
  child.stdout!.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr!.on('data', (c: Buffer) => { out += c.toString() })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => out, exited }
}

export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The port the process announced once it listens. */
export const portOf = (portal: { output: () => string }) =>
  waitFor(() => /portal listening on http:\/\/localhost:(\d+)/.exec(portal.output())?.[1]).then(Number)

/** A thread's nice value as the kernel has it (/proc/<pid>/task/<tid>/stat, field 19). */
export function niceOf(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}
