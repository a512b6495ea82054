import type { Params, TranslationKey } from '../i18n/messages.js'

export interface InvalidField {
  name: string
  reason: { key: TranslationKey, params?: Params }
}

/** An error the central handler turns into a response; messages are translation keys. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly titleKey: TranslationKey,
    readonly detail?: { key: TranslationKey, params?: Params },
    readonly invalidFields: InvalidField[] = [],
  ) {
    super(titleKey)
  }
}

export const notFound = (detail?: { key: TranslationKey, params?: Params }) =>
  new HttpError(404, 'problem.notFound', detail)

export const invalidParams = (fields: InvalidField[]) =>
  new HttpError(400, 'problem.invalidParams',
    { key: 'problem.invalidParamsDetail', params: { fields: fields.map((f) => f.name).join(', ') } }, fields)
