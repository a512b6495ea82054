import { Router, type Request, type Response } from 'express'
import { z } from 'zod'
import { auditActions } from '../domain/audit/actions.js'
import { ReasonRequired, type AuditFilter, type AuditorSearch, type Auditor } from '../domain/audit/auditorSearch.js'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { parseReference } from '../domain/applications/reference.js'
import { presenter, type ShownEvent, type ShownRequest } from '../web/auditPresenter.js'
import { csvCell, writeChunk } from '../web/csv.js'
import type { InvalidField } from '../web/httpErrors.js'
import { requestContext } from '../web/requestContext.js'
import { allow } from '../web/setUpAuth.js'
import { noStore } from '../web/setUpWebSecurity.js'

const day = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/
const optional = (schema: z.ZodType<string>) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional())
const auditQuery = z.object({
  person: optional(z.string().trim().min(3).max(120)),
  reason: optional(z.string().trim().max(300)),
  reference: optional(z.string().trim().max(40).refine((v) => parseReference(v) !== undefined)),
  request: optional(z.string().regex(/^[A-Za-z0-9._-]{1,128}$/)),
  agency: optional(z.string().regex(/^[a-z0-9-]{1,80}$/)),
  action: optional(z.enum(auditActions)),
  from: optional(z.string().regex(day).refine((d) => !Number.isNaN(Date.parse(d)))),
  to: optional(z.string().regex(day).refine((d) => !Number.isNaN(Date.parse(d)))),
  status: optional(z.string().regex(/^([1-5]|[1-5]\d\d)$/)),
  beforeEvent: optional(z.string().regex(/^\d{1,15}$/)),
  beforeRequest: optional(z.string().regex(/^\d{1,15}$/)),
})
type AuditQuery = z.infer<typeof auditQuery>

// Dates are Vietnam's days: from its midnight (UTC+7) to the next.
const dayStart = (d: string, plusDays = 0) => new Date(Date.parse(`${d}T00:00:00+07:00`) + plusDays * 86_400_000).toISOString()

function parseQuery(req: Request): { query: AuditQuery, invalid: InvalidField[], values: Record<string, string> } {
  const raw = req.query as Record<string, unknown>
  const values = Object.fromEntries(Object.keys(auditQuery.shape).map((k) => [k, typeof raw[k] === 'string' ? raw[k] : ''])) as Record<string, string>
  const parsed = auditQuery.safeParse(values)
  if (parsed.success) return { query: parsed.data, invalid: [], values }
  const names = new Set(parsed.error.issues.map((i) => String(i.path[0])))
  const invalid = [...names].map((name) => ({ name, reason: { key: 'validation.invalid' as const } }))
  // The valid part still searches; the page says which fields were set aside.
  const kept = Object.fromEntries(Object.entries(values).filter(([k]) => !names.has(k)))
  return { query: auditQuery.parse(kept), invalid, values }
}

function filterOf(q: AuditQuery): AuditFilter {
  return {
    ...(q.reference ? { reference: parseReference(q.reference)! } : {}),
    ...(q.request ? { requestId: q.request } : {}),
    ...(q.agency ? { agency: q.agency } : {}),
    ...(q.action ? { action: q.action } : {}),
    ...(q.from ? { from: dayStart(q.from) } : {}),
    ...(q.to ? { to: dayStart(q.to, 1) } : {}),
    ...(q.status ? { status: Number(q.status) } : {}),
  }
}

// The same search as a query string, for the export links and the paging links.
const exportQueryOf = (values: Record<string, string>) => new URLSearchParams(Object.entries(values)
  .filter(([k, v]) => v && k !== 'beforeEvent' && k !== 'beforeRequest')).toString()

const auditorOf = (req: Request): Auditor => {
  const user = req.user as { id: string, fullName?: string | null, email?: string | null }
  return { id: user.id, name: user.fullName ?? user.email ?? user.id }
}

const eventColumns: Array<[string, (e: ShownEvent) => string | number | null]> = [
  ['kind', () => 'audit'], ['at', (e) => e.at], ['request_id', (e) => e.requestId], ['action', (e) => e.action], ['what', (e) => e.actionLabel],
  ['who', (e) => e.actor], ['about', (e) => e.subject], ['on_behalf_of', (e) => e.onBehalfOf], ['agency', (e) => e.agency], ['reference', (e) => e.reference],
  ['detail', (e) => e.details.map((d) => `${d.label}: ${d.value}`).join('; ')], ['ip', (e) => e.ip], ['leaf_index', (e) => e.place],
]
const requestColumns: Record<string, (r: ShownRequest) => string | number | null> = {
  kind: () => 'request', at: (r) => r.at, request_id: (r) => r.requestId, action: (r) => `${r.method} ${r.route || r.path}`, what: (r) => `${r.method} ${r.path} → ${r.status}`,
  who: (r) => r.who, about: () => null, on_behalf_of: (r) => r.onBehalfOf, agency: (r) => r.agency, reference: () => null,
  detail: (r) => `${r.status}; ${r.durationMs} ms; ${r.userAgent}`, ip: (r) => r.ip, leaf_index: () => null,
}

/**
 * The auditor's console: one search over the audit trail and the request log, by
 * person (with a reason, recorded), application, request, agency, action, dates and
 * status; each entry links to its request and back. Exports stream the same view.
 */
export function auditRoutes(deps: { search: AuditorSearch, catalogue: CatalogueService }): Router {
  const { search, catalogue } = deps
  const router = Router()
  router.use('/audit', noStore, allow('auditor'))

  router.get('/audit', async (req, res) => {
    res.locals['routeName'] = 'audit'
    const { query, invalid, values } = parseQuery(req)
    const { t, lang } = res.locals
    const agencies = (await catalogue.home()).agencies.map((a) => ({ id: a.id, name: a.name[lang] }))
    const actions = auditActions.map((a) => ({ code: a, label: t(`auditor.action.${a}`) })).sort((a, b) => a.label.localeCompare(b.label, lang))
    const errors: Record<string, string> = Object.fromEntries(invalid.map((f) => [f.name, `auditor.error.${f.name}`]))
    const view = { values, errors, messageParams: {}, agencies, actions, exportQuery: exportQueryOf(values) }
    const needsReason = () => res.status(422).render('pages/staff/audit', { ...view, errors: { ...errors, reason: 'auditor.error.reason' }, page: undefined })
    if (query.person && (!query.reason || query.reason.length < 5)) return needsReason()
    try {
      const page = await search.search({
        person: query.person, reason: query.reason, filter: filterOf(query),
        beforeEvent: query.beforeEvent ? Number(query.beforeEvent) : undefined, beforeRequest: query.beforeRequest ? Number(query.beforeRequest) : undefined,
      }, auditorOf(req), requestContext(req))
      const show = presenter(t, lang, page.names)
      res.status(invalid.length ? 422 : 200).render('pages/staff/audit', {
        ...view, page, people: page.people.map((p) => show.person(p.id)),
        events: page.events.map(show.event), requests: page.requests.map(show.request),
      })
    } catch (e) {
      if (!(e instanceof ReasonRequired)) throw e
      needsReason()
    }
  })

  async function exportAs(req: Request, res: Response, format: 'csv' | 'ndjson') {
    res.locals['routeName'] = `audit.export.${format}`
    const { query, invalid } = parseQuery(req)
    const { t, lang } = res.locals
    if (invalid.length || (query.person && (!query.reason || query.reason.length < 5))) {
      res.status(422).type('text/plain; charset=utf-8')
        .send(t('auditor.exportRefused', { fields: [...invalid.map((f) => f.name), ...(query.person ? ['reason'] : [])].join(', ') }))
      return
    }
    const pages = search.exportRows({ person: query.person, reason: query.reason, filter: filterOf(query) }, format, auditorOf(req), requestContext(req))
    // The first step records the export (and the read of a person's data) before a byte goes out.
    let next = await pages.next()
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')
    res.attachment(`audit-${stamp}.${format === 'csv' ? 'csv' : 'ndjson'}`)
    res.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
    if (format === 'csv') await writeChunk(res, `\uFEFF${eventColumns.map(([name]) => name).join(',')}\r\n`)
    for (; !next.done; next = await pages.next()) {
      const show = presenter(t, lang, next.value.names)
      for (const e of next.value.events.map(show.event)) {
        await writeChunk(res, format === 'csv'
          ? `${eventColumns.map(([, get]) => csvCell(get(e))).join(',')}\r\n`
          : `${JSON.stringify({ kind: 'audit', ...e })}\n`)
      }
      for (const r of next.value.requests.map(show.request)) {
        await writeChunk(res, format === 'csv'
          ? `${eventColumns.map(([name]) => csvCell(requestColumns[name]!(r))).join(',')}\r\n`
          : `${JSON.stringify({ kind: 'request', ...r })}\n`)
      }
    }
    res.end()
  }
  router.get('/audit/export.csv', (req, res) => exportAs(req, res, 'csv'))
  router.get('/audit/export.ndjson', (req, res) => exportAs(req, res, 'ndjson'))

  return router
}
