// A small agency system, as an agency would write one against the portal (npm run agency:example).
// It receives the portal's signed deliveries, answers the endpoint verification, keeps
// each application once (by webhook-id) in its own SQLite file, and posts its decisions
// back through the Agency API with an Idempotency-Key, retrying until the portal answers.
// It imports nothing from the portal: only HTTP, Standard Webhooks and its own database.
import { mkdirSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import Database from 'better-sqlite3'
import { Webhook } from 'standardwebhooks'

export interface ReceiverSettings {
  port: number
  /** where the portal is, for the Agency API */
  portalUrl: string
  /** the endpoint's signing secrets (whsec_…), several during a rotation */
  secrets: string[]
  /** an Agency API key with applications:write */
  apiKey: string | undefined
  databaseFile: string
  /** how many times each status change is sent (more than once shows the Idempotency-Key at work) */
  sendTimes: number
  /** what the agency decides, in order, for each application */
  decisions: Array<{ status: string, message?: string }>
  log?: (line: string) => void
}

interface Delivery { type: string, data: { reference?: string, challenge?: string, serviceId?: string } }

export function startReceiver(settings: ReceiverSettings) {
  mkdirSync(path.dirname(settings.databaseFile), { recursive: true })
  const db = new Database(settings.databaseFile)
  db.pragma('journal_mode = WAL')
  db.exec(`
    create table if not exists received (webhook_id text primary key, reference text not null, service_id text, received_at text not null);
    create table if not exists outgoing (idempotency_key text primary key, reference text not null, status text not null, message text,
      position integer not null, sent integer not null default 0, done_at text, last_error text);`)
  const log = settings.log ?? ((line: string) => process.stdout.write(`${line}\n`))
  let webhooks = settings.secrets.map((s) => new Webhook(s))
  let counter = (db.prepare('select count(*) as n from received').get() as { n: number }).n

  /** Whether any of the secrets verifies the delivery (the portal signs with both during a rotation). */
  function verified(body: string, headers: http.IncomingHttpHeaders): boolean {
    return webhooks.some((w) => {
      try {
        w.verify(body, headers as Record<string, string>)
        return true
      } catch {
        return false
      }
    })
  }

  const insertReceived = db.prepare('insert into received (webhook_id, reference, service_id, received_at) values (?, ?, ?, ?) on conflict do nothing')
  const insertOutgoing = db.prepare('insert into outgoing (idempotency_key, reference, status, message, position) values (?, ?, ?, ?, ?) on conflict do nothing')

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
    if (req.method !== 'POST' || req.url !== '/hooks') return res.writeHead(404).end()
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      if (!verified(body, req.headers)) {
        log('refused a delivery whose signature does not verify')
        return res.writeHead(401).end()
      }
      const delivery = JSON.parse(body) as Delivery
      const reply = (status: number, value: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
      if (delivery.type === 'endpoint.verification') {
        log('answered the portal’s verification challenge')
        return reply(200, { challenge: delivery.data.challenge })
      }
      if (delivery.type !== 'application.submitted' || !delivery.data.reference) return reply(400, { error: 'unknown event' })
      const webhookId = String(req.headers['webhook-id'])
      const reference = delivery.data.reference
      // De-duplicated on webhook-id: a delivery sent again after a crash is accepted, not processed twice.
      const fresh = insertReceived.run(webhookId, reference, delivery.data.serviceId ?? null, new Date().toISOString()).changes === 1
      if (fresh) {
        counter++
        settings.decisions.forEach((d, position) => insertOutgoing.run(`${webhookId}:${d.status}`, reference, d.status, d.message ?? null, position))
        log(`received ${reference} (webhook-id ${webhookId})`)
        // A moment later: the portal records the delivery once this answer reaches it.
        setTimeout(() => void sendDecisions(), 300).unref()
      } else {
        log(`received ${reference} again (webhook-id ${webhookId}): already kept`)
      }
      reply(200, { agencyReference: `TV-${String(counter).padStart(5, '0')}` })
    })
  })

  /** Posts the decisions not yet acknowledged, in order per application, each `sendTimes` times with the same Idempotency-Key. */
  let sending = false
  async function sendDecisions(): Promise<void> {
    if (sending || !settings.apiKey) return
    sending = true
    try {
      const due = db.prepare('select * from outgoing where done_at is null order by reference, position').all() as Array<{ idempotency_key: string, reference: string, status: string, message: string | null }>
      const blocked = new Set<string>()
      for (const item of due) {
        if (blocked.has(item.reference)) continue
        let answer = 0
        for (let i = 0; i < settings.sendTimes; i++) {
          try {
            const res = await fetch(`${settings.portalUrl}/api/v1/agency/applications/${item.reference}/events`, {
              method: 'POST',
              headers: { authorization: `Bearer ${settings.apiKey}`, 'content-type': 'application/json', 'idempotency-key': item.idempotency_key },
              body: JSON.stringify({ status: item.status, ...(item.message ? { message: item.message } : {}) }),
              signal: AbortSignal.timeout(10_000),
            })
            answer = res.status
            log(`posted ${item.status} for ${item.reference}: ${res.status}${res.headers.get('idempotent-replayed') ? ' (replayed)' : ''}`)
          } catch (e) {
            answer = 0
            db.prepare('update outgoing set last_error = ? where idempotency_key = ?').run(e instanceof Error ? e.message : String(e), item.idempotency_key)
          }
        }
        // 2xx: done. 409 (not yet received, or the first request still running), 429, 5xx and
        // network errors: later, up to 30 rounds. Another 4xx will not change by retrying.
        const rounds = (db.prepare('update outgoing set sent = sent + ? where idempotency_key = ? returning sent').get(settings.sendTimes, item.idempotency_key) as { sent: number }).sent
        const later = answer === 0 || answer === 409 || answer === 429 || answer >= 500
        if (!later || rounds >= 30 * settings.sendTimes) {
          db.prepare('update outgoing set done_at = ?, last_error = ? where idempotency_key = ?')
            .run(new Date().toISOString(), answer >= 200 && answer < 300 ? null : `HTTP ${answer}`, item.idempotency_key)
        } else {
          blocked.add(item.reference)
        }
      }
    } finally {
      sending = false
    }
  }
  const retry = setInterval(() => void sendDecisions(), 2_000)
  retry.unref()

  return {
    server,
    listen: () => new Promise<number>((resolve) => server.listen(settings.port, '127.0.0.1', () => resolve((server.address() as { port: number }).port))),
    /** After a rotation: the secrets the agency now holds. */
    useSecrets: (secrets: string[]) => { webhooks = secrets.map((s) => new Webhook(s)) },
    useApiKey: (key: string) => { settings.apiKey = key; void sendDecisions() },
    received: () => db.prepare('select * from received order by received_at').all() as Array<{ webhook_id: string, reference: string }>,
    pending: () => (db.prepare('select count(*) as n from outgoing where done_at is null').get() as { n: number }).n,
    close: async () => {
      clearInterval(retry)
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() })
      db.close()
    },
  }
}

export type Receiver = ReturnType<typeof startReceiver>

// Run as a program: settings from the environment.
if (process.argv[1] && path.resolve(process.argv[1]).replace(/\.ts$/, '') === path.resolve(import.meta.dirname, 'receiver')) {
  const env = process.env
  const receiver = startReceiver({
    port: Number(env['PORT'] ?? 4100),
    portalUrl: (env['PORTAL_URL'] ?? 'http://localhost:3000').replace(/\/$/, ''),
    secrets: (env['WEBHOOK_SECRET'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    apiKey: env['AGENCY_API_KEY'],
    databaseFile: env['RECEIVER_DB'] ?? path.resolve('data', 'agency-receiver.db'),
    sendTimes: Number(env['SEND_TIMES'] ?? 1),
    decisions: [{ status: 'in_review' }, { status: 'approved', message: 'Hồ sơ đã được duyệt. / Approved. / Approuvé.' }],
  })
  if (!(env['WEBHOOK_SECRET'] ?? '')) process.stdout.write('WEBHOOK_SECRET is not set: every delivery will be refused (401) until it is\n')
  if (!env['AGENCY_API_KEY']) process.stdout.write('AGENCY_API_KEY is not set: decisions are kept and posted once it is\n')
  const port = await receiver.listen()
  process.stdout.write(`agency receiver on http://127.0.0.1:${port}/hooks — register this URL as the agency's endpoint\n`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void receiver.close().then(() => process.exit(0)))
}
