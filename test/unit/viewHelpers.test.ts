import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Request, Response } from 'express'
import { setUpViewHelpers } from '../../server/web/setUpViewHelpers.js'
import { translator } from '../../server/i18n/messages.js'
import { withQueryParam } from '../../server/web/setUpI18n.js'

function helpers(lang: 'vi' | 'en' | 'fr') {
  const res = { locals: { lang, t: translator(lang) } } as unknown as Response
  setUpViewHelpers(() => '')({ path: '/', originalUrl: '/' } as Request, res, () => {})
  return res.locals as unknown as { dateTime(iso: string): string, date(iso: string): string, processingTime(d: number | null): string }
}

describe('view helpers', () => {
  it('write dates and times in each language’s own way, in Vietnam time', () => {
    const at = '2026-12-01T20:16:00Z'
    assert.equal(helpers('vi').dateTime(at), '02/12/2026 03:16')
    assert.equal(helpers('en').dateTime(at), '2 Dec 2026, 03:16')
    assert.equal(helpers('fr').dateTime(at), '2 déc. 2026 à 03:16')
    assert.equal(helpers('vi').date('2026-12-07'), '07/12/2026')
    assert.equal(helpers('en').date('2026-12-07'), '7 December 2026')
    assert.equal(helpers('fr').date('2026-12-07'), '7 décembre 2026')
  })

  it('say "within the day" for a same-day service', () => {
    assert.equal(helpers('vi').processingTime(0), 'Trong ngày')
    assert.equal(helpers('vi').processingTime(1), '1 ngày làm việc')
    assert.equal(helpers('en').processingTime(null), 'Depends on the case')
  })

  it('set one query parameter as the URL parser would, never keeping a path that names another host', () => {
    const parsed = (u: string, name: string, value: string) => {
      const url = new URL(u, 'http://portal.invalid')
      url.searchParams.set(name, value)
      return url.pathname + url.search
    }
    const urls = ['/', '/search?q=dang%20ky&lang=vi', '/search?q=%C4%91%C4%83ng+k%C3%BD', '//evil.example/x?a=1', '/\\evil.example',
      '/a/../b?x', '/a/%2e%2E/b', '/a/./b', '/caf\u00e9?x=1', '/a b', '/x?lang=en&lang=fr&a=%zz', '/x?', '/x?a', '/s?page=2#h', "/a'b\"c<d>"]
    for (const u of urls) {
      for (const [name, value] of [['lang', 'en'], ['page', '3']] as const) assert.equal(withQueryParam(u, name, value), parsed(u, name, value), u)
    }
    assert.equal(withQueryParam('//evil.example/x', 'lang', 'fr'), '/x?lang=fr')
    assert.equal(withQueryParam('/search?q=a%20b&lang=vi', 'lang', 'en'), '/search?q=a+b&lang=en')
  })
})
