import { z } from 'zod'
import type { Params, TranslationKey } from '../i18n/messages.js'
import { invalidParams, type InvalidField } from './httpErrors.js'

/** A field's schema and the one message shown, in the user's language, when it fails. */
export interface FieldRule<T extends z.ZodType = z.ZodType> {
  schema: T
  reason: { key: TranslationKey, params?: Params }
}

export const rules = {
  integer: (min: number, max: number, fallback: number): FieldRule<z.ZodDefault<z.ZodCoercedNumber>> => ({
    schema: z.coerce.number().int().min(min).max(max).default(fallback) as z.ZodDefault<z.ZodCoercedNumber>,
    reason: { key: 'validation.range', params: { min, max } },
  }),
  text: (max: number): FieldRule<z.ZodOptional<z.ZodString>> => ({
    schema: z.string().max(max).optional(),
    reason: { key: 'validation.tooLong', params: { max } },
  }),
  oneOf: <const V extends readonly [string, ...string[]]>(values: V): FieldRule<z.ZodOptional<z.ZodEnum<{ [K in V[number]]: K }>>> => ({
    schema: z.enum(values).optional(),
    reason: { key: 'validation.oneOf', params: { values: values.join(', ') } },
  }),
  slug: (): FieldRule<z.ZodOptional<z.ZodString>> => ({
    schema: z.string().regex(/^[a-z0-9-]{1,100}$/).optional(),
    reason: { key: 'validation.invalid' },
  }),
}

type Shape = Record<string, FieldRule>
type Parsed<S extends Shape> = { [K in keyof S]: z.output<S[K]['schema']> }

/**
 * A parser for a query or body, its schema built once. Every failing field is named,
 * with its reason, in one 400.
 */
export function inputParser<S extends Shape>(shape: S): (input: unknown) => Parsed<S> {
  const schema = z.object(Object.fromEntries(Object.entries(shape).map(([k, r]) => [k, r.schema])))
  return (input) => {
    const result = schema.safeParse(input ?? {})
    if (result.success) return result.data as Parsed<S>
    const names = [...new Set(result.error.issues.map((i) => String(i.path[0])))]
    const fields: InvalidField[] = names.map((name) => ({ name, reason: shape[name]?.reason ?? { key: 'validation.invalid' } }))
    throw invalidParams(fields)
  }
}

/**
 * The same checks for a form page: instead of a 400, every failing field with its
 * message, so the page is shown again with an error summary and the answers kept.
 */
export function checkForm<S extends Record<string, z.ZodType>>(
  fields: S, messages: Record<keyof S, TranslationKey>, body: unknown,
): { data: { [K in keyof S]: z.output<S[K]> }, errors: undefined } | { data: undefined, errors: Partial<Record<keyof S & string, TranslationKey>> } {
  const result = z.object(fields).safeParse(body ?? {})
  if (result.success) return { data: result.data as { [K in keyof S]: z.output<S[K]> }, errors: undefined }
  const errors: Partial<Record<keyof S & string, TranslationKey>> = {}
  for (const issue of result.error.issues) {
    const name = String(issue.path[0]) as keyof S & string
    errors[name] ??= messages[name]
  }
  return { data: undefined, errors }
}
