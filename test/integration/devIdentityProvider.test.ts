import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import net from 'node:net'
import { after, describe, it } from 'node:test'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import request from 'supertest'
import { createApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { projectRoot } from '../../server/paths.js'
import { defaultDevPort, devClient, devIssuer } from '../support/identityProvider.js'
import { throughProvider } from '../support/nationalSignIn.js'
import { waitFor } from '../support/process.js'
import { createTestPortal } from '../support/testApp.js'

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

// `npm run idp` as the README has a newcomer start it: the script itself, in its own process.
const idpPort = await freePort()
const idp = spawn(process.execPath, ['--import', 'tsx', 'test/support/idp.ts'], {
  cwd: projectRoot, env: { PATH: process.env['PATH'] ?? '', IDP_PORT: String(idpPort) }, stdio: ['ignore', 'pipe', 'pipe'],
})
let idpOutput = ''
idp.stdout.on('data', (c: Buffer) => { idpOutput += c.toString() })
idp.stderr.on('data', (c: Buffer) => { idpOutput += c.toString() })
after(() => { idp.kill('SIGKILL') })
await waitFor(() => (idpOutput.includes('demo people') ? true : undefined))

describe('the development identity provider as the README starts it', () => {
  it('names itself as the portal expects by default', () => {
    assert.equal(loadConfig({}).nationalId?.issuer, devIssuer(defaultDevPort))
    assert.match(idpOutput, new RegExp(`at ${devIssuer(idpPort).replace(/\./g, '\\.')}\\n`))
  })

  it('accepts the portal on any loopback port, not only 3000', async () => {
    const publicUrl = 'http://localhost:3917'
    const portal = await createTestPortal({ publicUrl, nationalId: { issuer: devIssuer(idpPort), ...devClient } })
    try {
      const agent = request.agent(portal.app)
      const start = await agent.get('/auth/national').expect(302)
      const { callbackPath } = await throughProvider(start as unknown as { headers: Record<string, string> }, 'vn-demo-0001', publicUrl)
      await agent.get(callbackPath).expect(303).expect('Location', '/account')
    } finally {
      await portal.close()
    }
  })

  it('tells a provider that answered with another issuer name (misconfigured) from one that does not answer', async () => {
    const lines: string[] = []
    const logger = pino({ level: 'warn' }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done() } }))
    for (const [issuer, expected, level] of [
      [`http://localhost:${idpPort}`, /answered, but the portal is not set up correctly/, 50],
      ['http://127.0.0.1:9', /is not answering/, 40],
    ] as const) {
      const portal = await createTestPortal({ nationalId: { issuer, ...devClient } })
      try {
        lines.length = 0
        const app = createApp({ ...portal.appDeps, logger })
        const res = await request(app).get('/auth/national?lang=en').expect(503)
        assert.match(res.text, expected)
        const logged = lines.map((l) => JSON.parse(l) as { level: number, msg: string, issuer: string }).find((l) => l.issuer === issuer)
        assert.equal(logged?.level, level, lines.join('\n'))
        assert.match(logged.msg, level === 50 ? /does not match the settings/ : /unreachable/)
      } finally {
        await portal.close()
      }
    }
  })
})
