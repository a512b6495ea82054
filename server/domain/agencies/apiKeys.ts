import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { BlockList, isIP } from 'node:net'
import type { RequestContext } from '../identity/accountService.js'
import type { AuditLog } from '../ports.js'
import type { AgencyEmail } from './agencyEmail.js'
import { scopes, type ApiKey, type KeyEnvironment, type Scope } from './model.js'
import type { AgencyRepository } from './repository.js'

const day = 86_400_000
export const keyLifetimeDays = { default: 90, max: 365 }
export const rotationGraceHours = { default: 24, max: 7 * 24 }
/** Notices before a key expires, in days. */
export const expiryNoticeDays = [30, 7, 1]

// dvc_<live|test>_<16 base32 characters of id>_<43 base64url characters: 256 bits of secret>
const tokenPattern = /^dvc_(live|test)_([a-z2-7]{16})_([A-Za-z0-9_-]{43})$/
const base32 = 'abcdefghijklmnopqrstuvwxyz234567'

function newKeyId(): string {
  return [...randomBytes(16)].map((b) => base32[b % 32]).join('')
}

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex')

export class KeyRefused extends Error {
  constructor(readonly field: 'name' | 'scopes' | 'environment' | 'expiresInDays' | 'ipAllowlist' | 'graceHours' | 'key', message: string) {
    super(message)
  }
}

/** Addresses and CIDR ranges, one per entry; throws naming the first that is neither. */
export function parseAllowlist(text: string): string[] {
  const entries = text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean)
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/')
    const family = isIP(address ?? '')
    const bits = prefix === undefined ? undefined : Number(prefix)
    if (!family || extra !== undefined || (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128)))) {
      throw new KeyRefused('ipAllowlist', `not an address or range: ${entry}`)
    }
  }
  if (entries.length > 50) throw new KeyRefused('ipAllowlist', 'at most 50 entries')
  return entries
}

function blockListOf(entries: string[]): BlockList {
  const list = new BlockList()
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined]
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (prefix === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(prefix), type)
  }
  return list
}

/** Whether an address is in a key's allowlist; IPv4 arriving as ::ffff:a.b.c.d is matched as IPv4. */
export function addressAllowed(entries: string[], ip: string | null): boolean {
  if (!entries.length) return true
  if (!ip) return false
  const address = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip
  const family = isIP(address)
  return family !== 0 && blockListOf(entries).check(address, family === 6 ? 'ipv6' : 'ipv4')
}

export interface NewKey {
  name: string
  scopes: string[]
  environment: string
  expiresInDays?: number | undefined
  ipAllowlist?: string | undefined
}

export type Authentication =
  | { ok: true, key: ApiKey }
  | { ok: false, status: 401, reason: 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired' }
  | { ok: false, status: 403, reason: 'address', key: ApiKey }

/**
 * An agency's API keys: `dvc_<live|test>_<id>_<secret>`, 256 bits of secret, shown once
 * and kept only as a SHA-256 hash (the secret is random, so no slow hash is needed);
 * scoped, expiring, optionally bound to addresses, revoked or rotated with a grace period.
 * Every action is an audit entry.
 */
export function createApiKeys(deps: { repo: AgencyRepository, audit: AuditLog, email: AgencyEmail }) {
  const { repo, audit } = deps
  // A key's last use is written at most once a minute per instance: not on every call.
  const lastTouched = new Map<string, number>()
  // Keys read in the last two seconds: a busy key is not read again on every call. A
  // revocation or rotation here takes effect at once; one made on another instance
  // within two seconds.
  const recent = new Map<string, { key: ApiKey | undefined, until: number }>()
  async function keyById(id: string): Promise<ApiKey | undefined> {
    const now = Date.now()
    const known = recent.get(id)
    if (known && known.until > now) return known.key
    const key = await repo.key(id)
    if (recent.size > 10_000) recent.clear()
    recent.set(id, { key, until: now + 2_000 })
    return key
  }

  function validate(input: NewKey) {
    const name = input.name.trim()
    if (!name || name.length > 100) throw new KeyRefused('name', 'a name of 1 to 100 characters')
    const chosen = [...new Set(input.scopes)]
    if (!chosen.length || chosen.some((s) => !(scopes as readonly string[]).includes(s))) throw new KeyRefused('scopes', `one or more of ${scopes.join(', ')}`)
    if (input.environment !== 'live' && input.environment !== 'test') throw new KeyRefused('environment', 'live or test')
    const days = input.expiresInDays ?? keyLifetimeDays.default
    if (!Number.isInteger(days) || days < 1 || days > keyLifetimeDays.max) throw new KeyRefused('expiresInDays', `1 to ${keyLifetimeDays.max} days`)
    return { name, scopes: chosen as Scope[], environment: input.environment as KeyEnvironment, days, ipAllowlist: parseAllowlist(input.ipAllowlist ?? '') }
  }

  async function issue(agencyId: string, actorId: string, settings: ReturnType<typeof validate>) {
    const id = newKeyId()
    const secret = randomBytes(32).toString('base64url')
    const now = new Date()
    const key: ApiKey = {
      id, agencyId, name: settings.name, environment: settings.environment, scopes: settings.scopes, secretHash: hashOf(secret),
      ipAllowlist: settings.ipAllowlist, createdBy: actorId, createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + settings.days * day).toISOString(),
      revokedAt: null, revokedBy: null, rotatedTo: null, lastUsedAt: null, lastUsedIp: null, noticesSent: [],
    }
    await repo.insertKey(key)
    return { key, token: `dvc_${key.environment}_${id}_${secret}` }
  }

  const keyDetail = (key: ApiKey) => ({
    agency: key.agencyId, key: key.id, name: key.name, environment: key.environment, scopes: key.scopes, expiresAt: key.expiresAt,
  })

  async function ownKey(agencyId: string, id: string): Promise<ApiKey> {
    const key = await repo.key(id)
    if (!key || key.agencyId !== agencyId) throw new KeyRefused('key', 'no such key')
    return key
  }

  return {
    list: (agencyId: string) => repo.keysOf(agencyId),
    ownKey,

    /** Makes a key; the token is returned this once and never again. */
    async create(agencyId: string, input: NewKey, actorId: string, ctx: RequestContext) {
      const issued = await issue(agencyId, actorId, validate(input))
      await audit.record({ action: 'api-key.created', actorId, ip: ctx.ip, requestId: ctx.requestId, detail: keyDetail(issued.key) })
      return issued
    },

    async revoke(agencyId: string, id: string, actorId: string, ctx: RequestContext): Promise<void> {
      const key = await ownKey(agencyId, id)
      if (key.revokedAt) return
      await repo.updateKey(id, { revokedAt: new Date().toISOString(), revokedBy: actorId })
      recent.delete(id)
      await audit.record({ action: 'api-key.revoked', actorId, ip: ctx.ip, requestId: ctx.requestId, detail: keyDetail(key) })
    },

    /**
     * A new key with the same name, scopes, environment, allowlist and lifetime; the old
     * one keeps working for the grace period (at most 7 days, never past its own expiry).
     */
    async rotate(agencyId: string, id: string, graceHours: number, actorId: string, ctx: RequestContext) {
      const old = await ownKey(agencyId, id)
      if (old.revokedAt || old.rotatedTo || Date.parse(old.expiresAt) <= Date.now()) throw new KeyRefused('key', 'only a key in force can be rotated')
      if (!Number.isInteger(graceHours) || graceHours < 0 || graceHours > rotationGraceHours.max) throw new KeyRefused('graceHours', `0 to ${rotationGraceHours.max} hours`)
      const lifetimeDays = Math.min(keyLifetimeDays.max, Math.max(1, Math.round((Date.parse(old.expiresAt) - Date.parse(old.createdAt)) / day)))
      const issued = await issue(agencyId, actorId, {
        name: old.name, scopes: old.scopes, environment: old.environment, days: lifetimeDays, ipAllowlist: old.ipAllowlist,
      })
      const graceEnd = new Date(Math.min(Date.parse(old.expiresAt), Date.now() + graceHours * 3_600_000)).toISOString()
      await repo.updateKey(old.id, { rotatedTo: issued.key.id, expiresAt: graceEnd })
      recent.delete(old.id)
      await audit.record({
        action: 'api-key.rotated', actorId, ip: ctx.ip, requestId: ctx.requestId,
        detail: { ...keyDetail(issued.key), from: old.id, oldKeyWorksUntil: graceEnd },
      })
      return { ...issued, oldKeyWorksUntil: graceEnd }
    },

    /** The key a bearer token names, if it may be used now from this address. */
    async authenticate(token: string | undefined, ip: string | null): Promise<Authentication> {
      if (!token) return { ok: false, status: 401, reason: 'missing' }
      const parts = tokenPattern.exec(token)
      if (!parts) return { ok: false, status: 401, reason: 'malformed' }
      const key = await keyById(parts[2]!)
      const expected = Buffer.from(key?.secretHash ?? hashOf('no such key'), 'hex')
      const matches = timingSafeEqual(Buffer.from(hashOf(parts[3]!), 'hex'), expected)
      if (!key || !matches || key.environment !== parts[1]) return { ok: false, status: 401, reason: 'unknown' }
      if (key.revokedAt) return { ok: false, status: 401, reason: 'revoked' }
      if (Date.parse(key.expiresAt) <= Date.now()) return { ok: false, status: 401, reason: 'expired' }
      if (!addressAllowed(key.ipAllowlist, ip)) return { ok: false, status: 403, reason: 'address', key }
      const now = Date.now()
      if ((lastTouched.get(key.id) ?? 0) < now - 60_000) {
        lastTouched.set(key.id, now)
        await repo.touchKey(key.id, new Date(now).toISOString(), ip)
      }
      return { ok: true, key }
    },

    /**
     * Emails the agency's administrators 30, 7 and 1 days before a key expires: one
     * email for the nearest notice not yet sent. Returns how many keys were noticed.
     */
    async sendExpiryNotices(now = Date.now()): Promise<number> {
      let noticed = 0
      for (const key of await repo.keysExpiringBefore(new Date(now + expiryNoticeDays[0]! * day).toISOString())) {
        const daysLeft = (Date.parse(key.expiresAt) - now) / day
        const due = expiryNoticeDays.filter((d) => daysLeft <= d && !key.noticesSent.includes(d))
        if (!due.length || daysLeft <= 0) continue
        const nearest = Math.min(...due)
        await deps.email(key.agencyId, 'email.keyExpiry.subject', 'email.keyExpiry.body', {
          name: key.name, key: key.id, days: Math.max(1, Math.ceil(daysLeft)), date: key.expiresAt.slice(0, 10),
        })
        await repo.updateKey(key.id, { noticesSent: [...new Set([...key.noticesSent, ...due])].sort((a, b) => b - a) })
        await audit.record({ action: 'api-key.expiry-notice', detail: { agency: key.agencyId, key: key.id, days: nearest } })
        noticed++
      }
      return noticed
    },
  }
}

export type ApiKeys = ReturnType<typeof createApiKeys>
