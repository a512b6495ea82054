import path from 'node:path'
import { z } from 'zod'

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

// Every setting, with what it means. Read once at start; a bad value stops the start.
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development')
    .describe('development | production | test'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port'),
  HOST: z.string().min(1).default('0.0.0.0').describe('address to listen on'),
  DATA_DIR: z.string().min(1).default('./data').describe('holds the SQLite file and uploads'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres://').optional()
    .describe('PostgreSQL connection string; overrides the embedded SQLite database'),
  LOG_LEVEL: z.enum(levels).default('info').describe('pino log level'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional()
    .describe('signs session cookies; required in production'),
  TRUST_PROXY: z.string().optional()
    .describe('the reverse proxies in front whose X-Forwarded-For is believed: hop count, or their addresses/ranges; unset: none'),
  CATALOGUE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60)
    .describe('how long an instance may serve a catalogue read from memory; 0 turns the cache off'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional()
    .describe('the address people reach the portal at, for links in emails; required in production'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional()
    .describe('mail server; required in production (outside it, emails are files in DATA_DIR/mail)'),
  MAIL_FROM: z.string().min(3).default('Cổng Dịch vụ công <no-reply@dichvucong.invalid>').describe('sender of emails'),
  NATIONAL_ID_ISSUER: z.url({ protocol: /^https?$/ }).optional()
    .describe('issuer URL of the national identity provider (OpenID Connect); outside production defaults to the development provider of npm run idp'),
  NATIONAL_ID_CLIENT_ID: z.string().min(1).optional().describe('the portal\'s client id at the national identity provider'),
  NATIONAL_ID_CLIENT_SECRET: z.string().min(1).optional().describe('the portal\'s client secret at the national identity provider'),
  AGENCY_ENDPOINTS: z.string().optional()
    .describe('bootstrap only: JSON {"<agency id>": {"url": "https://…", "secret": "whsec_…"}}, imported at start as endpoints marked "from settings"; agencies register their own in the portal'),
  AGENCY_ENDPOINT_ALLOW: z.string().optional()
    .describe('comma-separated addresses or CIDR ranges that agency endpoints may resolve to although private (e.g. the government network)'),
  AGENCY_ENDPOINT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000)
    .describe('how long the dispatcher waits for an agency endpoint'),
  AGENCY_API_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000_000).default(600)
    .describe('requests a minute one Agency API key may make, counted across instances'),
  ENDPOINT_SUSPEND_FAILURES: z.coerce.number().int().min(1).max(10_000).default(10)
    .describe('consecutive failed deliveries after which an agency endpoint is suspended…'),
  ENDPOINT_SUSPEND_MINUTES: z.coerce.number().int().min(0).max(10_080).default(30)
    .describe('…provided the failures went on for at least this many minutes'),
  DISPATCH_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60)
    .describe('how long a dispatcher holds a claimed delivery; after a crash another instance retries it once this has passed'),
  BACKGROUND: z.enum(['thread', 'inline']).default('thread')
    .describe('where deliveries to agencies and status emails run: a worker thread of their own, or the web thread'),
  BACKGROUND_NICE: z.coerce.number().int().min(0).max(19).default(10)
    .describe('CPU priority of the background thread (Linux nice, 0–19): above 0 the web thread is served first when both want the CPU'),
  AUDIT_SIGNING_KEY: z.string().regex(/^PRIVATE\+KEY\+[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/, 'must be a signed-note Ed25519 key: PRIVATE+KEY+<name>+<id>+<key> (npm run audit:key)').optional()
    .describe('signs the audit log\'s checkpoints (its name is the log\'s origin); required in production; outside it generated into DATA_DIR/audit-signing-key'),
  AUDIT_VERIFIER_KEYS: z.string().regex(/^\s*([^+\s,]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+\s*(,\s*|$))*$/, 'must be signed-note verifier keys, comma-separated: <name>+<id>+<key>').optional()
    .describe('the verifier keys of earlier AUDIT_SIGNING_KEYs, comma-separated: checkpoints they signed stay verifiable after a rotation'),
  RESULT_SIGNING_KEY: z.string().refine(isPrivateEd25519Jwk, 'must be a private Ed25519 JWK with a kid, as JSON (npm run result:key)').optional()
    .describe('signs the tokens in result documents\' QR codes: a private Ed25519 JWK with a kid (npm run result:key); required in production; outside it generated into DATA_DIR/result-signing-key.json'),
  RESULT_VERIFIER_KEYS: z.string().optional()
    .describe('the public JWKs of earlier RESULT_SIGNING_KEYs, as a JSON array: results they signed stay verifiable after a rotation'),
  AUDIT_TREE: z.enum(['on', 'off']).default('on')
    .describe('place audit entries in the Merkle log and sign checkpoints; off only to measure what that costs (entries are still recorded, and placed once it is on again)'),
  REQUEST_LOG_DAYS: z.coerce.number().int().min(1).max(3650).default(180)
    .describe('days a request-log row stays in the database; older rows go to compressed NDJSON files in DATA_DIR/request-log'),
  DEMO_HISTORY: z.enum(['on', 'off']).default('on')
    .describe('outside production, write a year of made-up history at start into a database with no application, so the statistics show something (npm run demo:history does it by hand); never in production'),
  SEED_CATALOGUE: z.enum(['true', 'false']).default('true')
    .describe('load the service manifests into the database at start'),
})

export type Config = {
  env: 'development' | 'production' | 'test'
  production: boolean
  port: number
  host: string
  dataDir: string
  databaseUrl: string | undefined
  logLevel: (typeof levels)[number]
  sessionSecret: string
  /** hop count, or addresses and named ranges (loopback, uniquelocal, …) */
  trustProxy: number | string | false
  seedCatalogue: boolean
  /** outside production, a year of demo history on first start (DEMO_HISTORY); always false in production */
  demoHistory: boolean
  catalogueCacheSeconds: number
  publicUrl: string
  smtpUrl: string | undefined
  mailFrom: string
  agencyEndpoints: Record<string, { url: string, secret: string }>
  agencyEndpointAllow: string[]
  agencyEndpointTimeoutMs: number
  agencyApiPerMinute: number
  endpointSuspension: { failures: number, afterMs: number }
  dispatchLeaseSeconds: number
  background: 'thread' | 'inline'
  /** nice value of the background thread (Linux); 0 leaves it as the web thread */
  backgroundNice: number
  /** the signed-note private key from AUDIT_SIGNING_KEY; undefined outside production: a file in DATA_DIR */
  auditSigningKey: string | undefined
  /** verifier keys of earlier signing keys, trusted for the checkpoints they signed */
  auditVerifierKeys: string[]
  auditTree: boolean
  /** the private JWK from RESULT_SIGNING_KEY; undefined outside production: a file in DATA_DIR */
  resultSigningKey: string | undefined
  /** public JWKs (JSON text each) of earlier result keys */
  resultVerifierKeys: string[]
  requestLogDays: number
  /** undefined: national sign-in is not offered */
  nationalId: { issuer: string, clientId: string, clientSecret: string } | undefined
}

export class ConfigError extends Error {}

function isPrivateEd25519Jwk(text: string): boolean {
  try {
    const jwk = JSON.parse(text) as Record<string, unknown>
    return jwk['kty'] === 'OKP' && jwk['crv'] === 'Ed25519' && ['d', 'x', 'kid'].every((k) => typeof jwk[k] === 'string')
  } catch {
    return false
  }
}

function parseVerifierJwks(text: string | undefined): string[] {
  if (!text) return []
  try {
    const keys = JSON.parse(text) as unknown
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null)) throw new Error('not an array of JWKs')
    return keys.map((k) => JSON.stringify(k))
  } catch (e) {
    throw new ConfigError(`Invalid setting RESULT_VERIFIER_KEYS: must be a JSON array of public JWKs (${(e as Error).message})`)
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankAsUnset = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  )
  const parsed = schema.safeParse(blankAsUnset)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new ConfigError(`Invalid setting ${String(issue.path[0])}: ${issue.message}`)
  }
  const c = parsed.data
  const production = c.NODE_ENV === 'production'
  for (const name of ['SESSION_SECRET', 'PUBLIC_URL', 'SMTP_URL'] as const) {
    if (production && !c[name]) throw new ConfigError(`Missing setting ${name}: required when NODE_ENV=production`)
  }
  if (production && c.NATIONAL_ID_ISSUER) {
    if (!c.NATIONAL_ID_ISSUER.startsWith('https://')) throw new ConfigError('Invalid setting NATIONAL_ID_ISSUER: must be https:// in production')
    for (const name of ['NATIONAL_ID_CLIENT_ID', 'NATIONAL_ID_CLIENT_SECRET'] as const) {
      if (!c[name]) throw new ConfigError(`Missing setting ${name}: required with NATIONAL_ID_ISSUER`)
    }
  }
  if (production && !c.AUDIT_SIGNING_KEY) throw new ConfigError('Missing setting AUDIT_SIGNING_KEY: required when NODE_ENV=production (npm run audit:key makes one)')
  if (production && !c.RESULT_SIGNING_KEY) throw new ConfigError('Missing setting RESULT_SIGNING_KEY: required when NODE_ENV=production (npm run result:key makes one)')
  const resultVerifierKeys = parseVerifierJwks(c.RESULT_VERIFIER_KEYS)
  const endpoints = parseEndpoints(c.AGENCY_ENDPOINTS, production)
  return {
    env: c.NODE_ENV,
    agencyEndpoints: endpoints,
    agencyEndpointAllow: (c.AGENCY_ENDPOINT_ALLOW ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    agencyEndpointTimeoutMs: c.AGENCY_ENDPOINT_TIMEOUT_MS,
    agencyApiPerMinute: c.AGENCY_API_RATE_PER_MINUTE,
    endpointSuspension: { failures: c.ENDPOINT_SUSPEND_FAILURES, afterMs: c.ENDPOINT_SUSPEND_MINUTES * 60_000 },
    dispatchLeaseSeconds: c.DISPATCH_LEASE_SECONDS,
    background: c.BACKGROUND,
    backgroundNice: c.BACKGROUND_NICE,
    auditSigningKey: c.AUDIT_SIGNING_KEY,
    auditVerifierKeys: (c.AUDIT_VERIFIER_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    auditTree: c.AUDIT_TREE === 'on',
    resultSigningKey: c.RESULT_SIGNING_KEY,
    resultVerifierKeys,
    requestLogDays: c.REQUEST_LOG_DAYS,
    production,
    port: c.PORT,
    host: c.HOST,
    dataDir: path.resolve(c.DATA_DIR),
    databaseUrl: c.DATABASE_URL,
    logLevel: c.LOG_LEVEL,
    // Outside production an unset secret is a fixed development value: sessions then
    // survive restarts on a developer's machine, and nothing secret depends on it.
    sessionSecret: c.SESSION_SECRET ?? 'development-only-session-secret-not-for-production',
    // Unset: no proxy is believed, so X-Forwarded-For from anyone (loopback included) is ignored.
    trustProxy: c.TRUST_PROXY === undefined ? false : /^\d+$/.test(c.TRUST_PROXY) ? Number(c.TRUST_PROXY) : c.TRUST_PROXY,
    seedCatalogue: c.SEED_CATALOGUE === 'true',
    demoHistory: !production && c.DEMO_HISTORY === 'on',
    catalogueCacheSeconds: c.CATALOGUE_CACHE_SECONDS,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    // Outside production the development identity provider (npm run idp) is the default.
    nationalId: c.NATIONAL_ID_ISSUER || !production
      ? {
          issuer: (c.NATIONAL_ID_ISSUER ?? 'http://127.0.0.1:4000').replace(/\/$/, ''),
          clientId: c.NATIONAL_ID_CLIENT_ID ?? 'portal-dev',
          clientSecret: c.NATIONAL_ID_CLIENT_SECRET ?? 'portal-dev-secret-not-for-production',
        }
      : undefined,
  }
}

const endpointsSchema = z.record(z.string().regex(/^[a-z0-9-]+$/), z.object({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'must be whsec_ followed by at least 24 base64 characters'),
}).strict())

function parseEndpoints(raw: string | undefined, production: boolean): Record<string, { url: string, secret: string }> {
  if (!raw) return {}
  let data: unknown
  try {
    data = JSON.parse(raw)
  } catch {
    throw new ConfigError('Invalid setting AGENCY_ENDPOINTS: not valid JSON')
  }
  const parsed = endpointsSchema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new ConfigError(`Invalid setting AGENCY_ENDPOINTS: ${issue.path.join('.')}: ${issue.message}`)
  }
  // In production an endpoint is HTTPS, or plain HTTP to a loopback address: a local
  // gateway (like X-Road's security server) that carries the traffic on over TLS.
  for (const [agency, e] of Object.entries(parsed.data)) {
    const url = new URL(e.url)
    const local = url.protocol === 'http:' && ['127.0.0.1', '[::1]'].includes(url.hostname)
    if (production && url.protocol !== 'https:' && !local) throw new ConfigError(`Invalid setting AGENCY_ENDPOINTS: ${agency}.url must be https:// in production (or http:// to a loopback gateway)`)
  }
  return parsed.data
}
