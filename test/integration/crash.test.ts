import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { Webhook } from 'standardwebhooks'
import { openDatabase } from '../../server/db/database.js'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { testSecret } from '../support/agencyServer.js'
import { CookieJar, visit } from '../support/cookieJar.js'
import { newDataDir, portOf, startPortal, waitFor } from '../support/process.js'
import { temporaryResidenceAnswers } from '../support/submissions.js'
import { postgresUrl, usePostgres } from '../support/testApp.js'

/** A form post from a signed-in browser: fetches the page for its CSRF token first. */
async function post(jar: CookieJar, base: string, pagePath: string, action: string, fields: Record<string, string>) {
  const page = await visit(jar, `${base}${pagePath}`)
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? ''
  return visit(jar, `${base}${action}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf, ...fields }).toString(),
  })
}

describe('a portal killed between commit and delivery', () => {
  it('delivers after restart: nothing lost, the same webhook-id, one application received', async () => {
    // The agency: its first request hangs (the portal dies while waiting), then it accepts.
    const webhook = new Webhook(testSecret)
    const seen: string[] = []
    const accepted = new Set<string>()
    let hung: http.ServerResponse | undefined
    const agency = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        webhook.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>)
        const id = String(req.headers['webhook-id'])
        seen.push(id)
        if (seen.length === 1) { hung = res; return }
        accepted.add(id)
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"agencyReference":"CA-1"}')
      })
    })
    await new Promise<void>((resolve) => agency.listen(0, '127.0.0.1', resolve))
    const endpoint = `http://127.0.0.1:${(agency.address() as AddressInfo).port}/hooks`
    const env = {
      AGENCY_ENDPOINTS: JSON.stringify({ 'cong-an-cap-xa': { url: endpoint, secret: testSecret } }),
      AGENCY_ENDPOINT_ALLOW: '127.0.0.1/32', AGENCY_ENDPOINT_TIMEOUT_MS: '60000', DISPATCH_LEASE_SECONDS: '2',
    }
    const dataDir = newDataDir()
    try {
      const first = startPortal(env, dataDir)
      const base = `http://127.0.0.1:${await portOf(first)}`
      const jar = new CookieJar()
      const signIn = await post(jar, base, '/account/sign-in', '/account/sign-in', { email: demoAccounts[0]!.email, password: demoAccounts[0]!.password })
      assert.equal(signIn.status, 303)
      const started = await post(jar, base, '/services/dang-ky-tam-tru/apply', '/services/dang-ky-tam-tru/apply', {})
      const reference = /\/applications\/([^/]+)\//.exec(started.headers.get('location')!)![1]!
      const answers = temporaryResidenceAnswers()
      const pages: Record<string, string[]> = { 'nguoi-nop': ['applicantName', 'applicantCitizenId', 'applicantPhone'], 'noi-o': ['stayAddress', 'permanentAddress', 'stayFrom', 'stayMonths', 'housing'] }
      for (const [page, fields] of Object.entries(pages)) {
        const res = await post(jar, base, `/applications/${reference}/pages/${page}`, `/applications/${reference}/pages/${page}`,
          Object.fromEntries(fields.map((f) => [f, answers[f as keyof typeof answers]])))
        assert.equal(res.status, 303, `page ${page}`)
      }
      const submit = await post(jar, base, `/applications/${reference}/check`, `/applications/${reference}/submit`, {})
      assert.equal(submit.headers.get('location'), `/applications/${reference}/confirmation`, `submit answered ${submit.status}: ${submit.headers.get('location') ?? (await submit.text()).replace(/\s+/g, ' ').slice(0, 600)}`)

      // Committed, woken, in flight: the agency holds the request. Kill the portal now.
      await waitFor(() => (seen.length === 1 ? true : undefined))
      first.child.kill('SIGKILL')
      await first.exited
      hung?.destroy()

      const second = startPortal(env, dataDir)
      await portOf(second)
      await waitFor(() => (accepted.size === 1 ? true : undefined), 30_000)
      assert.equal(new Set(seen).size, 1, 'the retry carries the same webhook-id')

      const database = usePostgres ? openDatabase({ databaseUrl: postgresUrl, dataDir: '' }) : openDatabase({ dataDir })
      try {
        const row = await waitFor(async () => {
          const app = await database.db.selectFrom('applications').select(['status', 'agency_reference', 'id']).where('reference', '=', reference).executeTakeFirst()
          return app?.status === 'received' ? app : undefined
        })
        assert.equal(row.agency_reference, 'CA-1')
        const outbox = await database.db.selectFrom('outbox').selectAll().where('application_id', '=', row.id).execute()
        assert.equal(outbox.length, 1)
        assert.equal(outbox[0]!.status, 'delivered')
        assert.equal(outbox[0]!.id, seen[0])
      } finally {
        await database.close()
      }
      second.child.kill('SIGTERM')
      await second.exited
    } finally {
      await new Promise<void>((resolve) => { agency.close(() => resolve()); agency.closeAllConnections() })
    }
  })
})
