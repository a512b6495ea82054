import http from 'node:http'
import https from 'node:https'
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent'
import { Webhook } from 'standardwebhooks'
import { FinalError, RetryableError, type AgencyHandler, type HandlerMessage } from './handlerContract.js'

export interface RemoteEndpoint {
  url: string
  /** Standard Webhooks secret, "whsec_" + base64 */
  secret: string
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
 * An agency's own HTTPS endpoint as a handler: a JSON POST signed per Standard Webhooks
 * (webhook-id = the outbox row's id, the same on every retry; webhook-timestamp;
 * webhook-signature = v1,base64 HMAC-SHA256 of "id.timestamp.body"). No redirects are
 * followed, the answer is read up to a cap, and addresses are checked after DNS
 * resolution (request-filtering-agent), so a name that resolves to a private or
 * reserved address is refused unless allowlisted; DNS rebinding gains nothing.
 */
export function createRemoteHandler(endpoint: RemoteEndpoint, options: RemoteOptions = defaultRemoteOptions): AgencyHandler {
  const url = new URL(endpoint.url)
  const webhook = new Webhook(endpoint.secret)
  const filtering = { allowIPAddressList: options.allowedPrivateRanges, keepAlive: true }
  const agent = url.protocol === 'https:' ? new RequestFilteringHttpsAgent(filtering) : new RequestFilteringHttpAgent(filtering)
  const transport = url.protocol === 'https:' ? https : http

  function post(id: string, body: string): Promise<Reply> {
    const timestamp = new Date()
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'cong-dich-vu-cong-dispatcher/1',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': webhook.sign(id, timestamp, body),
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
