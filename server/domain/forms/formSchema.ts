import { z } from 'zod'

// A service's form, declared in its agency manifest: pages of fields, each with its
// checks, conditions and texts in vi/en/fr, and the profile fields the service needs
// ("tell us once": only those are prefilled, and only those reach the agency).
const localized = z.object({
  vi: z.string().trim().min(1),
  en: z.string().trim().min(1),
  fr: z.string().trim().min(1),
}).strict()

const name = z.string().regex(/^[a-z][a-zA-Z0-9]{0,39}$/, 'must be camelCase letters and digits, starting with a letter')

export const profileFieldNames = ['fullName', 'birthdate', 'gender', 'citizenId', 'address', 'phone', 'email'] as const
export type ProfileFieldName = (typeof profileFieldNames)[number]

/** Show a field or page only when an earlier answer is (one of) something, or a date is old enough. */
export const conditionSchema = z.union([
  z.object({ field: name, equals: z.string() }).strict(),
  z.object({ field: name, oneOf: z.array(z.string()).min(1) }).strict(),
  z.object({ field: name, olderThanDays: z.number().int().min(1) }).strict(),
])

const option = z.object({ value: z.string().regex(/^[a-z0-9-]{1,40}$/), label: localized }).strict()

const common = {
  id: name,
  label: localized,
  hint: localized.optional(),
  required: z.boolean().default(true),
  when: conditionSchema.optional(),
  /** prefilled from this profile field (which the form must list in profileFields) */
  prefill: z.enum(profileFieldNames).optional(),
}

export const fieldSchema = z.discriminatedUnion('type', [
  z.object({
    ...common, type: z.literal('text'),
    minLength: z.number().int().min(1).optional(), maxLength: z.number().int().min(1).max(2000).default(200),
    pattern: z.string().optional(), patternMessage: localized.optional(), multiline: z.boolean().default(false),
  }).strict(),
  z.object({ ...common, type: z.literal('number'), min: z.number().optional(), max: z.number().optional(), integer: z.boolean().default(true) }).strict(),
  z.object({ ...common, type: z.literal('date'), past: z.boolean().default(false), future: z.boolean().default(false) }).strict(),
  z.object({ ...common, type: z.literal('select'), options: z.array(option).min(2) }).strict(),
  z.object({ ...common, type: z.literal('radio'), options: z.array(option).min(2) }).strict(),
  z.object({ ...common, type: z.literal('checkboxes'), options: z.array(option).min(1), minChecked: z.number().int().min(0).optional() }).strict(),
  z.object({ ...common, type: z.literal('email') }).strict(),
  z.object({ ...common, type: z.literal('phone') }).strict(),
  z.object({ ...common, type: z.literal('citizenId') }).strict(),
  z.object({ ...common, type: z.literal('enterpriseCode') }).strict(),
  z.object({ ...common, type: z.literal('address'), maxLength: z.number().int().max(500).default(300) }).strict(),
  z.object({
    ...common, type: z.literal('file'),
    accept: z.array(z.enum(['application/pdf', 'image/jpeg', 'image/png'])).min(1).default(['application/pdf', 'image/jpeg', 'image/png']),
    maxFiles: z.number().int().min(1).max(10).default(1),
    maxSizeMb: z.number().min(0.1).max(20).default(5),
  }).strict(),
])

export const formSchema = z.object({
  profileFields: z.array(z.enum(profileFieldNames)).default([]),
  /**
   * The date field holding the applicant's birth date, when the form asks for it: with
   * the reference it lets a visitor check the status (without it, a second code does).
   */
  applicantBirthdate: z.string().max(40).optional(),
  pages: z.array(z.object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/).max(40),
    title: localized,
    intro: localized.optional(),
    when: conditionSchema.optional(),
    fields: z.array(fieldSchema).min(1).max(30),
  }).strict()).min(1).max(20),
  /** what the applicant declares before submitting */
  declaration: localized,
}).strict().superRefine((form, ctx) => {
  // Across pages: unique ids, conditions that point back at an earlier field, prefill declared.
  const seen = new Map<string, string>()
  form.pages.forEach((page, p) => {
    const check = (when: z.infer<typeof conditionSchema> | undefined, path: Array<string | number>) => {
      if (when && !seen.has(when.field)) ctx.addIssue({ code: 'custom', path, message: `condition on "${when.field}", which is not a field on an earlier page or earlier on this page` })
      if (when && 'olderThanDays' in when && seen.get(when.field) !== 'date') ctx.addIssue({ code: 'custom', path, message: 'olderThanDays needs a date field' })
    }
    check(page.when, ['pages', p, 'when'])
    page.fields.forEach((field, f) => {
      if (seen.has(field.id)) ctx.addIssue({ code: 'custom', path: ['pages', p, 'fields', f, 'id'], message: `"${field.id}" is used twice` })
      check(field.when, ['pages', p, 'fields', f, 'when'])
      if (field.prefill && !form.profileFields.includes(field.prefill)) {
        ctx.addIssue({ code: 'custom', path: ['pages', p, 'fields', f, 'prefill'], message: `"${field.prefill}" is not in profileFields` })
      }
      if ((field.type === 'select' || field.type === 'radio' || field.type === 'checkboxes') && new Set(field.options.map((o) => o.value)).size !== field.options.length) {
        ctx.addIssue({ code: 'custom', path: ['pages', p, 'fields', f, 'options'], message: 'option values must be unique' })
      }
      if (field.type === 'text' && field.pattern) {
        try { new RegExp(field.pattern, 'u') } catch { ctx.addIssue({ code: 'custom', path: ['pages', p, 'fields', f, 'pattern'], message: 'not a valid regular expression' }) }
      }
      seen.set(field.id, field.type)
    })
  })
  if (form.applicantBirthdate && seen.get(form.applicantBirthdate) !== 'date') {
    ctx.addIssue({ code: 'custom', path: ['applicantBirthdate'], message: `"${form.applicantBirthdate}" is not a date field of this form` })
  }
})

export type FormDefinition = z.infer<typeof formSchema>
export type FieldDefinition = z.infer<typeof fieldSchema>
export type Condition = z.infer<typeof conditionSchema>
export type PageDefinition = FormDefinition['pages'][number]
