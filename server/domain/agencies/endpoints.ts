import { randomBytes, randomUUID } from 'node:crypto'
import { isIP } from 'node:net'
import type { RequestContext } from '../identity/accountService.js'
import type { AuditLog, Tx } from '../ports.js'
import type { EndpointDirectory, RemoteTarget } from '../routing/dispatcher.js'
import { defaultRemoteOptions, verifyEndpoint, type RemoteOptions } from '../routing/remoteHandler.js'
import type { AgencyEmail } from './agencyEmail.js'
import type { Endpoint, EndpointHealth } from './model.js'
import type { AgencyRepository } from './repository.js'

export const secretOverlapHours = { default: 24, max: 7 * 24 }

export interface SuspensionPolicy {
  /** consecutive failed attempts… */
  failures: number
  /** …over at least this long, before the endpoint is suspended */
  afterMs: number
}

export const defaultSuspensionPolicy: SuspensionPolicy = { failures: 10, afterMs: 30 * 60_000 }

export class EndpointRefused extends Error {
  constructor(readonly reason: 'url' | 'https' | 'private' | 'none' | 'state' | 'hours' | 'host', message: string) {
    super(message)
  }
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`

/** host (lower case, no brackets) and port of a URL, with the scheme's default port. */
export function hostAndPort(url: URL): { host: string, port: number } {
  return { host: url.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }
}

const privateLiteral = (host: string) => {
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  const family = isIP(host)
  if (family === 4) return /^(10|127|0)\.|^169\.254\.|^192\.168\.|^172\.(1[6-9]|2\d|3[01])\./.test(host)
  if (family === 6) return host === '::1' || host === '::' || /^f[cd]|^fe[89ab]/i.test(host) || host.startsWith('::ffff:')
  return false
}

/**
 * An agency's own endpoint: registered by its administrator, who is shown the signing
 * secret once; verified by a signed challenge it must echo before any application goes
 * to it; its secret rotated with an overlap during which both secrets sign; its health;
 * suspended after a sustained run of failures (its administrators are emailed) and
 * resumed, when the deliveries held meanwhile go. Private and loopback hosts only where
 * a portal administrator allowed that host and port.
 */
export function createEndpoints(deps: {
  repo: AgencyRepository
  audit: AuditLog
  email: AgencyEmail
  remoteOptions?: Partial<RemoteOptions>
  suspension?: Partial<SuspensionPolicy>
  /** wakes the dispatcher when held deliveries become due */
  wake: () => void
}) {
  const { repo, audit } = deps
  const remoteOptions = { ...defaultRemoteOptions, ...deps.remoteOptions }
  const policy = { ...defaultSuspensionPolicy, ...deps.suspension }
  const record = (action: string, agencyId: string, actorId: string | null, ctx: RequestContext | undefined, detail: Record<string, unknown> = {}) =>
    audit.record({ action, actorId, ip: ctx?.ip ?? null, requestId: ctx?.requestId ?? null, detail: { agency: agencyId, ...detail } })

  async function checkedUrl(raw: string): Promise<{ url: URL, allowPrivate: boolean }> {
    let url: URL
    try {
      url = new URL(raw.trim())
    } catch {
      throw new EndpointRefused('url', 'not a URL')
    }
    if (!['https:', 'http:'].includes(url.protocol) || url.username || url.password || url.hash || raw.length > 500) throw new EndpointRefused('url', 'an http(s) URL without credentials or fragment')
    const { host, port } = hostAndPort(url)
    const allowed = await repo.hostAllowed(host, port)
    // Plain HTTP only to a host an administrator allowed: a gateway on the government network, a local test receiver.
    if (url.protocol === 'http:' && !allowed) throw new EndpointRefused('https', 'must be https://')
    if (privateLiteral(host) && !allowed) throw new EndpointRefused('private', `${host}:${port} is a private or loopback address`)
    return { url, allowPrivate: allowed }
  }

  async function targetOf(endpoint: Endpoint): Promise<RemoteTarget> {
    const { host, port } = hostAndPort(new URL(endpoint.url))
    const successWorthNoting = endpoint.consecutiveFailures > 0 || !endpoint.lastSuccessAt || Date.parse(endpoint.lastSuccessAt) < Date.now() - 60_000
    return { url: endpoint.url, secrets: endpoint.secrets, allowPrivate: await repo.hostAllowed(host, port), state: endpoint.state, successWorthNoting }
  }

  async function suspend(agencyId: string, reason: string, actorId: string | null, ctx?: RequestContext) {
    await repo.suspend(agencyId, reason, new Date().toISOString())
    await record('endpoint.suspended', agencyId, actorId, ctx, { reason })
    await deps.email(agencyId, 'email.endpointSuspended.subject', 'email.endpointSuspended.body', { reason })
  }

  const directory: EndpointDirectory = {
    async targetsOf(agencyIds) {
      const endpoints = await repo.endpointsOf(agencyIds)
      return new Map(await Promise.all(endpoints.map(async (e) => [e.agencyId, await targetOf(e)] as const)))
    },
    async recordOutcome(tx: Tx, agencyId, outcome) {
      await repo.recordOutcome(tx, agencyId, { ...outcome, at: new Date().toISOString() })
    },
    async afterFailure(agencyId, gone, error) {
      const endpoint = await repo.endpoint(agencyId)
      if (!endpoint || endpoint.state !== 'active') return
      const longEnough = endpoint.failingSince !== null && Date.now() - Date.parse(endpoint.failingSince) >= policy.afterMs
      if (gone) await suspend(agencyId, `the endpoint answered 410 Gone: ${error}`, null)
      else if (endpoint.consecutiveFailures >= policy.failures && longEnough) {
        await suspend(agencyId, `${endpoint.consecutiveFailures} failed deliveries in a row since ${endpoint.failingSince}; last: ${error}`, null)
      }
    },
  }

  return {
    directory,
    endpoint: (agencyId: string) => repo.endpoint(agencyId),

    /** Registers (or replaces) the endpoint; the new secret is returned this once. It starts unverified. */
    async register(agencyId: string, rawUrl: string, actorId: string, ctx: RequestContext) {
      const { url } = await checkedUrl(rawUrl)
      const secret = newSecret()
      await repo.saveEndpoint(agencyId, {
        url: url.href, secret, previousSecret: null, previousSecretUntil: null, origin: 'agency', verifiedAt: null, registeredBy: actorId,
      })
      await record('endpoint.registered', agencyId, actorId, ctx, { url: url.href })
      return { url: url.href, secret }
    },

    /** Sends the signed challenge; the endpoint is active once it echoed it. Resolves to the error, or null. */
    async verify(agencyId: string, actorId: string, ctx: RequestContext): Promise<string | null> {
      const endpoint = await repo.endpoint(agencyId)
      if (!endpoint) throw new EndpointRefused('none', 'no endpoint registered')
      const challenge = randomBytes(24).toString('base64url')
      const error = await verifyEndpoint(await targetOf(endpoint), challenge, `verify_${randomUUID()}`, remoteOptions)
      if (error) {
        await record('endpoint.verification-failed', agencyId, actorId, ctx, { url: endpoint.url, error })
        return error
      }
      await repo.markVerified(agencyId, new Date().toISOString())
      await record('endpoint.verified', agencyId, actorId, ctx, { url: endpoint.url })
      deps.wake()
      return null
    },

    /** A new secret, returned this once; the old one signs too until the overlap ends. */
    async rotateSecret(agencyId: string, overlapHours: number, actorId: string, ctx: RequestContext) {
      const endpoint = await repo.endpoint(agencyId)
      if (!endpoint) throw new EndpointRefused('none', 'no endpoint registered')
      if (!Number.isInteger(overlapHours) || overlapHours < 0 || overlapHours > secretOverlapHours.max) {
        throw new EndpointRefused('hours', `0 to ${secretOverlapHours.max} hours`)
      }
      const secret = newSecret()
      const until = new Date(Date.now() + overlapHours * 3_600_000).toISOString()
      await repo.saveEndpoint(agencyId, {
        url: endpoint.url, secret, previousSecret: overlapHours ? endpoint.secrets[0]! : null, previousSecretUntil: overlapHours ? until : null,
        origin: endpoint.origin, verifiedAt: endpoint.verifiedAt, registeredBy: endpoint.registeredBy,
      })
      await record('endpoint.secret-rotated', agencyId, actorId, ctx, { overlapUntil: overlapHours ? until : null })
      return { secret, previousWorksUntil: overlapHours ? until : null }
    },

    async suspend(agencyId: string, actorId: string, ctx: RequestContext) {
      const endpoint = await repo.endpoint(agencyId)
      if (!endpoint) throw new EndpointRefused('none', 'no endpoint registered')
      if (endpoint.state === 'active') await suspend(agencyId, 'suspended by the agency', actorId, ctx)
    },

    /** Lifts a suspension: the deliveries held meanwhile go now, in order. */
    async resume(agencyId: string, actorId: string, ctx: RequestContext) {
      const endpoint = await repo.endpoint(agencyId)
      if (!endpoint) throw new EndpointRefused('none', 'no endpoint registered')
      if (endpoint.state !== 'suspended') throw new EndpointRefused('state', 'the endpoint is not suspended')
      await repo.resume(agencyId)
      await record('endpoint.resumed', agencyId, actorId, ctx)
      deps.wake()
    },

    async health(agencyId: string): Promise<EndpointHealth> {
      return repo.health(agencyId, new Date(Date.now() - 86_400_000).toISOString())
    },

    /** The settings' AGENCY_ENDPOINTS, imported at start: they need no verification, the operator vouched for them. */
    async importFromSettings(endpoints: Record<string, { url: string, secret: string }>): Promise<string[]> {
      const imported: string[] = []
      for (const [agencyId, e] of Object.entries(endpoints)) {
        const existing = await repo.endpoint(agencyId)
        if (existing && existing.origin === 'agency') continue
        if (existing && existing.url === e.url && existing.secrets[0] === e.secret) continue
        await repo.saveEndpoint(agencyId, {
          url: e.url, secret: e.secret, previousSecret: null, previousSecretUntil: null, origin: 'settings', verifiedAt: new Date().toISOString(), registeredBy: null,
        })
        imported.push(agencyId)
      }
      return imported
    },

    hosts: () => repo.hosts(),

    /** A portal administrator allows endpoints on a private or loopback host:port. */
    async allowHost(input: { host: string, port: number, note?: string | undefined }, actorId: string, ctx: RequestContext) {
      const host = input.host.trim().replace(/^\[|\]$/g, '').toLowerCase()
      if (!host || host.length > 253 || /[/\s@]/.test(host) || !Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
        throw new EndpointRefused('host', 'a host name or address, and a port 1–65535')
      }
      await repo.allowHost({ host, port: input.port, allowedBy: actorId, allowedAt: new Date().toISOString(), note: input.note?.trim().slice(0, 200) || null })
      await audit.record({ action: 'endpoint-host.allowed', actorId, ip: ctx.ip, requestId: ctx.requestId, detail: { host, port: input.port } })
    },

    async removeHost(host: string, port: number, actorId: string, ctx: RequestContext) {
      if (await repo.removeHost(host, port)) {
        await audit.record({ action: 'endpoint-host.removed', actorId, ip: ctx.ip, requestId: ctx.requestId, detail: { host, port } })
      }
    },
  }
}

export type Endpoints = ReturnType<typeof createEndpoints>
