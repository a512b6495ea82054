import { keyIdOf, type EventRow, type LoggedRequest, type Names } from '../domain/audit/auditorSearch.js'
import type { Lang } from '../domain/catalogue/types.js'
import { catalogs, type Translate, type TranslationKey } from '../i18n/messages.js'

// How an audit entry and a request read to a person: names for ids, labels for codes,
// the detail as labelled lines. The console, its exports and the data-use page share it.

export interface Line { label: string, value: string }

export interface ShownEvent {
  id: number
  at: string
  action: string
  actionLabel: string
  actor: string
  subject: string
  onBehalfOf: string
  agency: string
  reference: string | null
  requestId: string | null
  ip: string
  place: number | null
  details: Line[]
}

export interface ShownRequest {
  id: number
  at: string
  requestId: string
  method: string
  route: string
  path: string
  status: number
  durationMs: number
  who: string
  role: string
  onBehalfOf: string
  agency: string
  ip: string
  userAgent: string
}

const has = (lang: Lang, key: string): key is TranslationKey => key in catalogs[lang]

function labelled(t: Translate, lang: Lang, prefix: string, value: string): string {
  const key = `${prefix}.${value}`
  return has(lang, key) ? t(key) : value
}

export function presenter(t: Translate, lang: Lang, names: Names) {
  const agency = (id: string | null | undefined) => (id ? names.agencies.get(id)?.[lang] ?? id : '')
  const person = (id: string | null | undefined): string => {
    if (!id) return ''
    const p = names.people.get(id)
    if (p) return `${p.fullName ?? p.email ?? t('auditor.unnamed')} (${labelled(t, lang, 'role', p.role)}${p.agencyId ? `, ${agency(p.agencyId)}` : ''})`
    const key = names.keys.get(keyIdOf(id)!)
    if (key) return `${t('auditor.apiKey', { name: key.name })} (${agency(key.agencyId)})`
    return labelled(t, lang, 'auditor.actor', id)
  }
  const text = (value: unknown): string => {
    if (Array.isArray(value)) return value.map(text).join(', ')
    if (value === null || value === undefined) return '—'
    if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${labelled(t, lang, 'auditor.detail', k)}: ${text(v)}`).join('; ')
    return String(value)
  }
  // What each detail field is, and how its value reads; fields not named here (ids shown elsewhere) are left out.
  const fields: Record<string, (value: unknown, e: EventRow) => string> = {
    service: (v) => (typeof v === 'string' ? names.services.get(v)?.[lang] ?? v : text(v)),
    from: (v, e) => (typeof v !== 'string' ? text(v) : labelled(t, lang, e.action === 'role.changed' ? 'role' : e.action.startsWith('service.') ? 'auditor.serviceStatus' : 'status', v)),
    to: (v, e) => (typeof v !== 'string' ? text(v) : labelled(t, lang, e.action === 'role.changed' ? 'role' : 'status', v)),
    role: (v) => (typeof v === 'string' ? labelled(t, lang, 'role', v) : text(v)),
    fromAgency: (v) => (typeof v === 'string' ? agency(v) : text(v)),
    by: (v) => (typeof v === 'string' ? labelled(t, lang, 'auditor.by', v) : text(v)),
    method: (v) => (typeof v === 'string' ? labelled(t, lang, 'auditor.method', v) : text(v)),
    via: (v) => (typeof v === 'string' ? labelled(t, lang, 'auditor.method', v) : text(v)),
    key: (v) => (typeof v === 'string' ? names.keys.get(v)?.name ?? v : text(v)),
    reason: text, purpose: (v) => (typeof v === 'string' ? labelled(t, lang, 'auditor.purpose', v) : text(v)),
    level: text, fields: text, enterprise: text, host: text, port: text, version: text, days: text, until: text, format: text, filter: text,
    people: text, registry: text, query: text, oldKeyWorksUntil: text, name: text,
  }

  return {
    person,
    agency,
    event(e: EventRow): ShownEvent {
      const details = Object.entries(e.detail).flatMap(([k, v]) => {
        const show = fields[k]
        return show ? [{ label: labelled(t, lang, 'auditor.detail', k), value: show(v, e) }] : []
      })
      return {
        id: e.id, at: e.at, action: e.action, actionLabel: labelled(t, lang, 'auditor.action', e.action),
        actor: person(e.actorId), subject: person(e.subjectId), onBehalfOf: e.onBehalfOf ?? '', agency: agency(e.agencyId),
        reference: e.reference, requestId: e.requestId, ip: e.ip ?? '', place: e.leafIndex, details,
      }
    },
    request(r: LoggedRequest): ShownRequest {
      return {
        id: r.id, at: r.at, requestId: r.requestId, method: r.method, route: r.route ?? '', path: r.path, status: r.status, durationMs: r.durationMs,
        who: r.apiKeyId ? person(r.apiKeyId) : person(r.userId), role: r.role ? labelled(t, lang, 'role', r.role) : '',
        onBehalfOf: r.onBehalfOf ?? '', agency: agency(r.agencyId), ip: r.ip ?? '', userAgent: r.userAgent ?? '',
      }
    },
  }
}
