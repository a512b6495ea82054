import type { RequestHandler } from 'express'
import { languages, type Lang, type Localized } from '../domain/catalogue/types.js'
import { conditionHolds } from '../domain/forms/formEngine.js'
import type { FieldDefinition } from '../domain/forms/formSchema.js'
import type { TranslationKey } from '../i18n/messages.js'
import { inLanguage } from '../domain/applications/statusEmail.js'
import { translators, withQueryParam } from './setUpI18n.js'

const locales: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB', fr: 'fr-FR' }

const zone = 'Asia/Ho_Chi_Minh'

/**
 * A date and time as each language writes it: "02/12/2026 03:16" in Vietnamese (the
 * locale's own medium style reads "03:16 2 thg 12, 2026"), "2 Dec 2026, 03:16" in
 * English, "2 déc. 2026 à 03:16" in French.
 */
function dateTimeFormat(lang: Lang): (d: Date) => string {
  const time = new Intl.DateTimeFormat(locales[lang], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone })
  const day = lang === 'vi'
    ? new Intl.DateTimeFormat('vi-VN', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: zone })
    : new Intl.DateTimeFormat(locales[lang], { dateStyle: 'medium', timeZone: zone })
  const joiner = { vi: ' ', en: ', ', fr: ' à ' }[lang]
  return (d) => `${day.format(d)}${joiner}${time.format(d)}`
}

// Built once per language at start, so a request only points at them.
function helpersFor(lang: Lang) {
  const t = translators[lang]
  const currency = new Intl.NumberFormat(locales[lang], { style: 'currency', currency: 'VND' })
  const dates = lang === 'vi'
    ? new Intl.DateTimeFormat('vi-VN', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: zone })
    : new Intl.DateTimeFormat(locales[lang], { dateStyle: 'long', timeZone: zone })
  const kilobytes = new Intl.NumberFormat(locales[lang], { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 })
  const millis = new Intl.NumberFormat(locales[lang], { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 0 })
  const dateTimes = dateTimeFormat(lang)
  const percents = new Intl.NumberFormat(locales[lang], { style: 'percent', maximumFractionDigits: 1 })
  const numbers = new Intl.NumberFormat(locales[lang])
  const monthNames = new Intl.DateTimeFormat(locales[lang], { month: 'long', year: 'numeric', timeZone: 'UTC' })
  const shortMonths = new Intl.DateTimeFormat(locales[lang], { month: 'short', timeZone: 'UTC' })
  const monthDate = (month: string) => new Date(`${month}-01T00:00:00Z`)
  const rendered = new WeakMap<object, string>()
  return {
    t,
    /**
     * An item's HTML in this language, rendered once for as long as the same object is
     * shown again: the search keeps the summaries its hits show until the catalogue
     * changes, so a service's entry in a list of hits is rendered once, not on every search.
     */
    renderedOnce: (item: object, render: () => string) => {
      let html = rendered.get(item)
      if (html === undefined) {
        html = render()
        rendered.set(item, html)
      }
      return html
    },
    /** a rate from 0 to 1 as a percentage */
    percent: (rate: number) => percents.format(rate),
    count: (n: number) => numbers.format(n),
    /** yyyy-mm: "tháng 3 năm 2026", "March 2026", "mars 2026" */
    monthLong: (month: string) => monthNames.format(monthDate(month)),
    /** yyyy-mm for a chart's axis: "3/26" in Vietnamese, "Mar 26", "mars 26" */
    monthShort: (month: string) => (lang === 'vi' ? `${Number(month.slice(5))}/${month.slice(2, 4)}` : `${shortMonths.format(monthDate(month)).replace(/\.$/, '')} ${month.slice(2, 4)}`),
    l10n: (text: Localized) => text[lang],
    // A statutory time: "within the day" for 0, never "0 working days".
    processingTime: (days: number | null) => (days === null ? t('service.timeVaries') : days === 0 ? t('service.sameDay') : t('service.days', { count: days })),
    milliseconds: (ms: number) => millis.format(Number(ms)),
    fileSize: (bytes: number) => kilobytes.format(Math.max(1, Math.ceil(Number(bytes) / 1024))),
    /** A message stored as JSON in three languages (from a handler), or plain text (from a person). */
    localizedMessage: (message: string) => inLanguage(message, lang),
    money: (vnd: number) => currency.format(vnd),
    date: (iso: string) => dates.format(new Date(iso)),
    dateTime: (iso: string) => dateTimes(new Date(iso)),
  }
}

export type LanguageHelpers = ReturnType<typeof helpersFor>

/** The helpers of each language, for what is rendered outside a request (the search thread). */
export const languageHelpers = (): Record<Lang, LanguageHelpers> =>
  Object.fromEntries(languages.map((l) => [l, helpersFor(l)])) as Record<Lang, LanguageHelpers>

/** Small formatting helpers every template uses, bound to the request's language. */
export function setUpViewHelpers(asset: (file: string) => string): RequestHandler {
  const byLanguage = languageHelpers()
  return (req, res, next) => {
    const helpers = byLanguage[res.locals.lang]
    res.locals['asset'] = asset
    res.locals['l10n'] = helpers.l10n
    res.locals['renderedOnce'] = helpers.renderedOnce
    res.locals['money'] = helpers.money
    res.locals['date'] = helpers.date
    res.locals['dateTime'] = helpers.dateTime
    res.locals['localizedMessage'] = helpers.localizedMessage
    res.locals['fileSize'] = helpers.fileSize
    res.locals['milliseconds'] = helpers.milliseconds
    res.locals['percent'] = helpers.percent
    res.locals['count'] = helpers.count
    res.locals['monthLong'] = helpers.monthLong
    res.locals['monthShort'] = helpers.monthShort
    res.locals['conditionHolds'] = conditionHolds
    // A form field's error in words: the field's own message for a pattern, otherwise the
    // general one with the label inside; the sentence starts with a capital whatever the label.
    res.locals['fieldError'] = (field: FieldDefinition, error: { problem: string, params?: Record<string, string | number> }) => {
      const { t, lang } = res.locals
      const label = helpers.l10n(field.label)
      const patternMessage = 'patternMessage' in field ? field.patternMessage : undefined
      const text = error.problem === 'pattern' && patternMessage ? helpers.l10n(patternMessage)
        : error.problem === 'citizenId' ? t(`profile.error.citizenId.${String(error.params?.['detail'])}` as TranslationKey)
          : t(`form.error.${error.problem}` as TranslationKey, { label: label.charAt(0).toLocaleLowerCase(lang) + label.slice(1), ...(error.params ?? {}) })
      return text.charAt(0).toLocaleUpperCase(lang) + text.slice(1)
    }
    res.locals['capitalised'] = (text: string) => text.charAt(0).toLocaleUpperCase(res.locals.lang) + text.slice(1)
    res.locals['processingTime'] = helpers.processingTime
    res.locals['path'] = req.path
    res.locals['requestId'] = req.id
    res.locals['pageUrl'] = (page: number) => withQueryParam(req.originalUrl, 'page', String(page))
    next()
  }
}
