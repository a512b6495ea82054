import { citizenIdProblem } from '../identity/citizenId.js'
import { enterpriseCodeProblem, normaliseEnterpriseCode } from '../identity/enterpriseCode.js'
import type { Condition, FieldDefinition, FormDefinition, PageDefinition } from './formSchema.js'

/** Answers by field id: text, or a list (checkboxes, and the ids of a file field's documents). */
export type Answers = Record<string, string | string[]>

export type FieldProblem =
  | 'required' | 'tooShort' | 'tooLong' | 'pattern' | 'number' | 'range' | 'date' | 'datePast' | 'dateFuture'
  | 'option' | 'email' | 'phone' | 'citizenId' | 'enterpriseCode' | 'fileCount'

export interface FieldError {
  problem: FieldProblem
  params?: Record<string, string | number>
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/
const today = () => new Date().toISOString().slice(0, 10)
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10)

export function conditionHolds(when: Condition | undefined, answers: Answers): boolean {
  if (!when) return true
  const answer = answers[when.field]
  const values = Array.isArray(answer) ? answer : answer === undefined ? [] : [answer]
  if ('equals' in when) return values.includes(when.equals)
  if ('oneOf' in when) return values.some((v) => when.oneOf.includes(v))
  return typeof answer === 'string' && isoDate.test(answer) && answer < daysAgo(when.olderThanDays)
}

export function visiblePages(form: FormDefinition, answers: Answers): PageDefinition[] {
  return form.pages.filter((page) => conditionHolds(page.when, answers))
}

export function visibleFields(page: PageDefinition, answers: Answers): FieldDefinition[] {
  return page.fields.filter((field) => conditionHolds(field.when, answers))
}

/** Only what the visible pages and fields ask for: answers to questions no longer asked are dropped. */
export function keptAnswers(form: FormDefinition, answers: Answers): Answers {
  const kept: Answers = {}
  for (const page of visiblePages(form, answers)) {
    for (const field of visibleFields(page, { ...answers, ...kept })) {
      const value = answers[field.id]
      if (value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0)) kept[field.id] = value
    }
  }
  return kept
}

/** The first visible page with a required answer missing, or undefined when all are answered. */
export function firstIncompletePage(form: FormDefinition, answers: Answers): PageDefinition | undefined {
  return visiblePages(form, answers).find((page) =>
    visibleFields(page, answers).some((field) => check(field, answers[field.id]).error !== undefined))
}

/** The page after `pageId` that the answers make visible; undefined after the last. */
export function nextPage(form: FormDefinition, pageId: string, answers: Answers): PageDefinition | undefined {
  const index = form.pages.findIndex((p) => p.id === pageId)
  return form.pages.slice(index + 1).find((page) => conditionHolds(page.when, answers))
}

function text(raw: unknown): string {
  return typeof raw === 'string' ? raw.trim() : Array.isArray(raw) && typeof raw[0] === 'string' ? raw[0].trim() : ''
}

/** Accepts the ISO date a date input sends, and dd/mm/yyyy typed by hand. */
function normaliseDate(value: string): string {
  const typed = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value)
  return typed ? `${typed[3]}-${typed[2]!.padStart(2, '0')}-${typed[1]!.padStart(2, '0')}` : value
}

function realDate(value: string): boolean {
  if (!isoDate.test(value)) return false
  const d = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value
}

/** One field: the normalised answer, or the problem with it. */
export function check(field: FieldDefinition, raw: unknown): { value?: string | string[], error?: FieldError } {
  if (field.type === 'checkboxes' || field.type === 'file') {
    const values = (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw]).filter((v): v is string => typeof v === 'string' && v !== '')
    if (field.type === 'checkboxes' && values.some((v) => !field.options.some((o) => o.value === v))) return { error: { problem: 'option' } }
    const min = field.type === 'checkboxes' ? Math.max(field.minChecked ?? 0, field.required ? 1 : 0) : field.required ? 1 : 0
    if (values.length < min) return { error: { problem: 'required' } }
    if (field.type === 'file' && values.length > field.maxFiles) return { error: { problem: 'fileCount', params: { max: field.maxFiles } } }
    return { value: [...new Set(values)] }
  }
  let value = text(raw)
  if (value === '') return field.required ? { error: { problem: 'required' } } : {}
  switch (field.type) {
    case 'text': case 'address': {
      const length = [...value].length
      if (field.type === 'text' && field.minLength && length < field.minLength) return { error: { problem: 'tooShort', params: { min: field.minLength } } }
      if (length > field.maxLength) return { error: { problem: 'tooLong', params: { max: field.maxLength } } }
      if (field.type === 'text' && field.pattern && !new RegExp(`^(?:${field.pattern})$`, 'u').test(value)) return { error: { problem: 'pattern' } }
      return { value }
    }
    case 'number': {
      const n = Number(value.replace(/[\s,.](?=\d{3}\b)/g, '').replace(',', '.'))
      if (!Number.isFinite(n) || (field.integer && !Number.isInteger(n))) return { error: { problem: 'number' } }
      if ((field.min !== undefined && n < field.min) || (field.max !== undefined && n > field.max)) {
        return { error: { problem: 'range', params: { min: field.min ?? '−∞', max: field.max ?? '∞' } } }
      }
      return { value: String(n) }
    }
    case 'date': {
      value = normaliseDate(value)
      if (!realDate(value)) return { error: { problem: 'date' } }
      if (field.past && value > today()) return { error: { problem: 'datePast' } }
      if (field.future && value < today()) return { error: { problem: 'dateFuture' } }
      return { value }
    }
    case 'select': case 'radio':
      return field.options.some((o) => o.value === value) ? { value } : { error: { problem: 'option' } }
    case 'email':
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) && value.length <= 254 ? { value: value.toLowerCase() } : { error: { problem: 'email' } }
    case 'phone': {
      const digits = value.replace(/[\s.()-]/g, '')
      return /^(\+84|0)\d{9,10}$/.test(digits) ? { value: digits } : { error: { problem: 'phone' } }
    }
    case 'citizenId': {
      const digits = value.replace(/[\s.-]/g, '')
      const problem = citizenIdProblem(digits)
      return problem ? { error: { problem: 'citizenId', params: { detail: problem } } } : { value: digits }
    }
    case 'enterpriseCode': {
      const code = normaliseEnterpriseCode(value)
      return enterpriseCodeProblem(code) ? { error: { problem: 'enterpriseCode' } } : { value: code }
    }
  }
}

/**
 * Checks one page's answers as posted (plus the answers of earlier pages, which decide
 * which of its fields are shown). Returns the page's normalised answers and, per field,
 * what is wrong.
 */
export function checkPage(page: PageDefinition, posted: Record<string, unknown>, earlier: Answers): { answers: Answers, errors: Record<string, FieldError> } {
  const answers: Answers = {}
  const errors: Record<string, FieldError> = {}
  for (const field of page.fields) {
    if (!conditionHolds(field.when, { ...earlier, ...answers })) continue
    const result = check(field, posted[field.id])
    if (result.error) errors[field.id] = result.error
    if (result.value !== undefined) answers[field.id] = result.value
    else if (!result.error) answers[field.id] = ''
    // A wrong answer is kept as typed, so the page shows it again for correction.
    if (result.error && field.type !== 'file' && field.type !== 'checkboxes') answers[field.id] = text(posted[field.id])
  }
  return { answers, errors }
}
