import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

export interface Received {
  id: string
  verified: boolean
  body: { type: string, data: { reference: string, answers: Record<string, unknown>, profile: Record<string, string> } }
}

/**
 * A real agency endpoint on loopback, as an agency would write one: it verifies the
 * Standard Webhooks signature and de-duplicates on webhook-id. `answer` decides the
 * status for each request (the agency being down, refusing, gone…).
 */
export type AgencyAnswer = { status: number, headers?: Record<string, string>, body?: string }

export async function startAgencyServer(secret: string, answer: (n: number) => AgencyAnswer = () => ({ status: 200 }), options: { echo?: boolean } = {}) {
  let webhook = new Webhook(secret)
  const requests: Received[] = []
  /** the verification challenges it was sent */
  const challenges: Array<{ challenge: string, verified: boolean }> = []
  const accepted = new Map<string, Received>()
  let count = 0
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let verified = true
      try {
        webhook.verify(raw, req.headers as Record<string, string>)
      } catch {
        verified = false
      }
      const body = JSON.parse(raw) as Received['body'] & { data: { challenge?: string } }
      if (body.type === 'endpoint.verification') {
        challenges.push({ challenge: body.data.challenge!, verified })
        if (!verified) return res.writeHead(401).end()
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge: options.echo === false ? 'wrong' : body.data.challenge }))
      }
      const received: Received = { id: String(req.headers['webhook-id']), verified, body }
      requests.push(received)
      if (!verified) return res.writeHead(401).end()
      const reply = answer(++count)
      if (reply.status >= 200 && reply.status < 300 && !accepted.has(received.id)) accepted.set(received.id, received)
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/applications`,
    requests,
    /** distinct deliveries the agency accepted, by webhook-id */
    accepted,
    challenges,
    /** the agency configures another secret (after a rotation) */
    useSecret: (next: string) => { webhook = new Webhook(next) },
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }),
  }
}

export const testSecret = `whsec_${Buffer.from('agency-endpoint-test-secret-0123456789').toString('base64')}`
