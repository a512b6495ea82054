import type { Request, RequestHandler } from 'express'
import { defaultLang, isLang, languages, translator, type Lang, type Translate } from '../i18n/messages.js'

const cookieName = 'lang'
const cookiePattern = /(?:^|;\s*)lang=(vi|en|fr)(?:;|$)/
const oneYear = 365 * 24 * 60 * 60 * 1000
export const translators = Object.fromEntries(languages.map((l) => [l, translator(l)])) as Record<Lang, Translate>

declare module 'express-serve-static-core' {
  interface Locals {
    lang: Lang
    t: Translate
  }
}

function chooseLanguage(req: Request): { lang: Lang, chosen: boolean } {
  const asked = req.query['lang']
  if (isLang(asked)) return { lang: asked, chosen: true }
  const remembered = cookiePattern.exec(req.headers.cookie ?? '')?.[1]
  if (isLang(remembered)) return { lang: remembered, chosen: false }
  const accepted = req.headers['accept-language'] ? req.acceptsLanguages(...languages) : false
  return { lang: isLang(accepted) ? accepted : defaultLang, chosen: false }
}

// A path the URL parser returns as it is: one leading slash (two would name a host),
// only characters it keeps, no dot segment (plain or percent-encoded) for it to resolve.
const plainPath = /^\/(?!\/)(?!.*\/(?:\.|%2e))[\w\-.~!$&'()*+,;=:@%/]*$/i

/** The same path and query with one parameter set: for language links and pagination. */
export function withQueryParam(originalUrl: string, name: string, value: string): string {
  const at = originalUrl.indexOf('?')
  const path = at === -1 ? originalUrl : originalUrl.slice(0, at)
  // Five of these a page: the whole URL parser only for a path it would change.
  if (!plainPath.test(path) || originalUrl.includes('#')) {
    const url = new URL(originalUrl, 'http://portal.invalid')
    url.searchParams.set(name, value)
    return url.pathname + url.search
  }
  const params = new URLSearchParams(at === -1 ? '' : originalUrl.slice(at + 1))
  params.set(name, value)
  return `${path}?${params}`
}

/** The same URL in another language. */
export const urlInLanguage = (originalUrl: string, lang: Lang) => withQueryParam(originalUrl, 'lang', lang)

// Vietnamese first; ?lang= switches and is remembered; Accept-Language on a first visit.
export function setUpI18n(secureCookies: boolean): RequestHandler {
  return (req, res, next) => {
    const { lang, chosen } = chooseLanguage(req)
    if (chosen) {
      res.cookie(cookieName, lang, { maxAge: oneYear, httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/' })
    }
    res.vary('Accept-Language, Cookie')
    res.locals.lang = lang
    res.locals.t = translators[lang]
    res.locals['languages'] = languages
    res.locals['urlInLanguage'] = (l: Lang) => urlInLanguage(req.originalUrl, l)
    next()
  }
}
