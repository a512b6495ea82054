import http from 'node:http'
import https from 'node:https'
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent'
import { Webhook } from 'standardwebhooks'
import { FinalError, RetryableError, type AgencyHandler, type HandlerMessage } from './handlerContract.js'

export interface RemoteEndpoint {
  url: string
  /** Standard Webhooks secrets, "whsec_" + base64: the current one, then the previous one while a rotation overlaps */
  secrets: string[]
  /** a portal administrator allowed this private or loopback host:port */
  allowPrivate?: boolean
}

export interface RemoteOptions {
  timeoutMs: number
  maxResponseBytes: number
  /** addresses (CIDR) that may be reached although private, e.g. an agency on the government network */
  allowedPrivateRanges: string[]
}

export const defaultRemoteOptions: RemoteOptions = { timeoutMs: 10_000, maxResponseBytes: 64 * 1024, allowedPrivateRanges: [] }

/** The endpoint answered 410 Gone: it is switched off until an administrator turns it on again. */
export class EndpointGone extends FinalError {}

interface Reply { status: number, headers: http.IncomingHttpHeaders, body: string }

/** Seconds from a Retry-After header: delta-seconds or an HTTP date. */
export function retryAfterSeconds(value: string | undefined): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim())
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000))
}

/**
 * POSTs JSON to an agency's endpoint signed per Standard Webhooks (webhook-id, the
 * same on every retry; webhook-timestamp; webhook-signature, one "v1,<base64 HMAC-SHA256
 * of id.timestamp.body>" per secret, so a receiver holding either secret of a rotation
 * verifies it). No redirects are followed, the answer is read up to a cap, and
 * addresses are checked after DNS resolution (request-filtering-agent): a name that
 * resolves to a private or reserved address is refused unless allowed, so DNS
 * rebinding gains nothing.
 */
export function createSignedSender(endpoint: RemoteEndpoint, options: RemoteOptions = defaultRemoteOptions) {
  const url = new URL(endpoint.url)
  const webhooks = endpoint.secrets.map((secret) => new Webhook(secret))
  const filtering = { allowIPAddressList: options.allowedPrivateRanges, allowPrivateIPAddress: endpoint.allowPrivate ?? false, keepAlive: true }
  const agent = url.protocol === 'https:' ? new RequestFilteringHttpsAgent(filtering) : new RequestFilteringHttpAgent(filtering)
  const transport = url.protocol === 'https:' ? https : http

  return function post(id: string, body: string): Promise<Reply> {
    const timestamp = new Date()
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'cong-dich-vu-cong-dispatcher/1',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': webhooks.map((w) => w.sign(id, timestamp, body)).join(' '),
    }
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method: 'POST', headers, agent, timeout: options.timeoutMs }, (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size <= options.maxResponseBytes) chunks.push(chunk)
          else res.destroy()
        })
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })
        res.on('end', done)
        res.on('close', done)
        res.on('error', done)
      })
      req.on('timeout', () => req.destroy(new RetryableError(`no answer within ${options.timeoutMs} ms`)))
      req.on('error', (err) => reject(err instanceof RetryableError || err instanceof FinalError ? err
        : /not allowed/.test(err.message) ? new FinalError(`address refused: ${err.message}`) : new RetryableError(err.message)))
      req.end(body)
    })
  }
}

/**
 * Sends the signed `endpoint.verification` event; the endpoint proves it holds the
 * secret and is the agency's by answering 2xx with the same challenge within the timeout.
 * Resolves to null when it did, else to what went wrong.
 */
export async function verifyEndpoint(
  endpoint: RemoteEndpoint, challenge: string, id: string, options: RemoteOptions = defaultRemoteOptions,
): Promise<string | null> {
  const body = JSON.stringify({ type: 'endpoint.verification', timestamp: new Date().toISOString(), data: { challenge } })
  let reply: Reply
  try {
    reply = await createSignedSender(endpoint, options)(id, body)
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
  if (reply.status < 200 || reply.status >= 300) return `HTTP ${reply.status}`
  try {
    const echoed = (JSON.parse(reply.body) as { challenge?: unknown }).challenge
    return echoed === challenge ? null : 'the answer did not echo the challenge'
  } catch {
    return 'the answer was not JSON {"challenge": "…"}'
  }
}

/** An agency's own endpoint as a handler: each application is one signed POST (createSignedSender). */
export function createRemoteHandler(endpoint: RemoteEndpoint, options: RemoteOptions = defaultRemoteOptions): AgencyHandler {
  const post = createSignedSender(endpoint, options)
  return {
    async handle(application, ctx) {
      const body = JSON.stringify({ type: 'application.submitted', timestamp: new Date().toISOString(), data: application })
      const reply = await post(ctx.deliveryId, body)
      const status = reply.status
      if (status >= 200 && status < 300) {
        let parsed: { agencyReference?: unknown, message?: unknown } = {}
        try { parsed = JSON.parse(reply.body) as typeof parsed } catch { /* a 2xx without JSON is fine */ }
        const message = parsed.message && typeof parsed.message === 'object' ? parsed.message as HandlerMessage : undefined
        return {
          outcome: 'accepted', statusCode: status,
          ...(typeof parsed.agencyReference === 'string' ? { agencyReference: parsed.agencyReference.slice(0, 100) } : {}),
          ...(message && typeof message.vi === 'string' && typeof message.en === 'string' && typeof message.fr === 'string' ? { message } : {}),
        }
      }
      if (status === 410) throw Object.assign(new EndpointGone('410 Gone: endpoint disabled'), { statusCode: status })
      if (status === 408 || status === 429 || status >= 500) {
        throw Object.assign(new RetryableError(`HTTP ${status}`, retryAfterSeconds(reply.headers['retry-after'] as string | undefined)), { statusCode: status })
      }
      if (status >= 300 && status < 400) throw Object.assign(new FinalError(`HTTP ${status}: redirects are not followed`), { statusCode: status })
      throw Object.assign(new FinalError(`HTTP ${status}`), { statusCode: status })
    },
  }
}
