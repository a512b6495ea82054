import type { Request, RequestHandler, Response } from 'express'
import type { RequestLogWriter, RequestRow } from '../domain/audit/requestLog.js'

// The query parameters a row may keep: the ones that page, sort and filter. Not q (what
// a person typed into a search may be anything), never a token.
const safeQuery = new Set(['page', 'before', 'after', 'lang', 'level', 'agency', 'event', 'status', 'sort', 'category', 'service', 'from', 'to', 'size', 'index', 'online', 'kind', 'format', 'reference', 'request', 'action', 'beforeEvent', 'beforeRequest'])
const safeValue = /^[\w.:-]{0,40}$/
// Path parameters that are secrets: a single-use link's token stays out of the log.
const secretParam = /token|secret/i

function queryOf(req: Request): string | null {
  const query = req.query as Record<string, unknown>
  let kept: Record<string, string> | undefined
  for (const name in query) {
    const value = query[name]
    if (safeQuery.has(name) && typeof value === 'string' && safeValue.test(value)) (kept ??= {})[name] = value
  }
  return kept ? JSON.stringify(kept) : null
}

// The path, with the segments its route names as secrets put back to their names (the
// route's params are gone by the time the response is done: the pattern says where).
function pathOf(req: Request, route: string | null): string {
  const url = req.originalUrl
  const q = url.indexOf('?')
  let path = q === -1 ? url : url.slice(0, q)
  if (route && secretParam.test(route)) {
    const pattern = route.split('/')
    path = path.split('/').map((segment, i) => (pattern[i]?.startsWith(':') && secretParam.test(pattern[i]) ? pattern[i] : segment)).join('/')
  }
  return path.length > 300 ? path.slice(0, 300) : path
}

const browsers: Array<[RegExp, string]> = [
  [/Edg\/(\d+)/, 'Edge'], [/OPR\/(\d+)/, 'Opera'], [/Firefox\/(\d+)/, 'Firefox'], [/Chrom(?:e|ium)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari/, 'Safari'], [/^curl\/(\d+)/, 'curl'], [/^node(?:-fetch)?\/?(\d*)/i, 'node'],
  [/^undici/, 'undici'], [/^autocannon/, 'autocannon'],
]
const systems: Array<[RegExp, string]> = [[/Android/, 'Android'], [/iPhone|iPad|iOS/, 'iOS'], [/Windows/, 'Windows'], [/Mac OS X|Macintosh/, 'macOS'], [/Linux/, 'Linux']]

/** A user agent as a browser, its major version and the system ("Chrome 131 (Android)"); an unknown one cut to 60 characters. */
export function shortUserAgent(ua: string | undefined): string | null {
  if (!ua) return null
  const browser = browsers.find(([pattern]) => pattern.test(ua))
  if (!browser) return ua.slice(0, 60)
  const version = browser[0].exec(ua)?.[1]
  const system = systems.find(([pattern]) => pattern.test(ua))?.[1]
  return `${browser[1]}${version ? ` ${version}` : ''}${system ? ` (${system})` : ''}`
}

/**
 * One row per request into the request log, when its response is done (or the client
 * went away: status 499), handed to the writer that batches them. Who made it comes
 * from what authentication left in res.locals: the account, its role, the business it
 * acted for, the Agency API key.
 */
export function recordRequests(writer: RequestLogWriter): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint()
    const at = new Date().toISOString()
    const done = () => {
      res.removeListener('finish', done)
      res.removeListener('close', done)
      writer.add(rowOf(req, res, at, Number(process.hrtime.bigint() - started) / 1e6))
    }
    res.on('finish', done)
    res.on('close', done)
    next()
  }
}

// Checks of a result document: counted on the document, and nothing kept of who checked
// (DESIGN.md): no address, no browser, and the code in the path put back to its name.
const unrecorded = /^\/verify(\/|$)/

function rowOf(req: Request, res: Response, at: string, durationMs: number): RequestRow {
  const locals = res.locals
  const key = locals['apiKey'] as { id: string, agencyId: string } | undefined
  const user = req.user as { agencyId?: string | null } | undefined
  const pattern = req.route as { path?: unknown } | undefined
  const route = typeof pattern?.path === 'string' ? `${req.baseUrl}${pattern.path}` : null
  const anonymous = unrecorded.test(req.path)
  return {
    at,
    requestId: String((req as Request & { id?: unknown }).id ?? ''),
    method: req.method,
    route,
    path: anonymous ? route ?? '/verify' : pathOf(req, route),
    query: queryOf(req),
    status: res.writableFinished ? res.statusCode : 499,
    durationMs: Math.round(durationMs * 100) / 100,
    userId: (locals['userId'] as string | undefined) ?? null,
    role: (locals['role'] as string | undefined) ?? (key ? 'agency-system' : null),
    onBehalfOf: (req.session as { actingFor?: string } | undefined)?.actingFor ?? null,
    apiKeyId: key?.id ?? null,
    agencyId: key?.agencyId ?? user?.agencyId ?? null,
    ip: anonymous ? null : req.ip ?? null,
    userAgent: anonymous ? null : shortUserAgent(req.headers['user-agent']),
  }
}
