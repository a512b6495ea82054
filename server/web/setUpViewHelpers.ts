import type { RequestHandler } from 'express'
import type { Lang, Localized } from '../domain/catalogue/types.js'

const currency = {
  vi: new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND' }),
  en: new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'VND' }),
  fr: new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'VND' }),
}
const dates = {
  vi: new Intl.DateTimeFormat('vi-VN', { dateStyle: 'long', timeZone: 'Asia/Ho_Chi_Minh' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Asia/Ho_Chi_Minh' }),
  fr: new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Asia/Ho_Chi_Minh' }),
}

/** Small formatting helpers every template uses, bound to the request's language. */
export function setUpViewHelpers(asset: (file: string) => string): RequestHandler {
  return (req, res, next) => {
    const lang: Lang = res.locals.lang
    res.locals['asset'] = asset
    res.locals['l10n'] = (text: Localized) => text[lang]
    res.locals['money'] = (vnd: number) => currency[lang].format(vnd)
    res.locals['date'] = (iso: string) => dates[lang].format(new Date(iso))
    res.locals['path'] = req.path
    res.locals['pageUrl'] = (page: number) => {
      const url = new URL(req.originalUrl, 'http://portal.invalid')
      url.searchParams.set('page', String(page))
      return url.pathname + url.search
    }
    res.locals['requestId'] = req.id
    next()
  }
}
