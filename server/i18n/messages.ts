import { en } from './en.js'
import { fr } from './fr.js'
import { vi } from './vi.js'
import { languages, type Lang } from '../domain/catalogue/types.js'

export type MessageKey = keyof typeof vi
export type Messages = Record<MessageKey, string>
type PluralKey<K> = K extends `${infer Base}_other` ? Base : never
export type TranslationKey = MessageKey | PluralKey<MessageKey>
export type Params = Record<string, string | number>
export type Translate = (key: TranslationKey, params?: Params) => string

export const catalogs: Record<Lang, Messages> = { vi, en, fr }
export const defaultLang: Lang = 'vi'
export { languages, type Lang }

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (languages as readonly string[]).includes(value)
}

const pluralRules = Object.fromEntries(languages.map((l) => [l, new Intl.PluralRules(l)])) as Record<Lang, Intl.PluralRules>
const numberFormats = Object.fromEntries(languages.map((l) => [l, new Intl.NumberFormat(l)])) as Record<Lang, Intl.NumberFormat>

function interpolate(lang: Lang, template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name]
    if (value === undefined) return whole
    return typeof value === 'number' ? numberFormats[lang].format(value) : value
  })
}

export function translator(lang: Lang): Translate {
  const messages = catalogs[lang]
  return (key, params) => {
    let message = (messages as Record<string, string>)[key]
    if (message === undefined && params && typeof params['count'] === 'number') {
      const form = pluralRules[lang].select(params['count'])
      message = (messages as Record<string, string>)[`${key}_${form}`] ?? (messages as Record<string, string>)[`${key}_other`]
    }
    if (message === undefined) return key
    return params ? interpolate(lang, message, params) : message
  }
}
