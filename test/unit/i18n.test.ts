import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { catalogs, languages, translator } from '../../server/i18n/messages.js'
import { viewsDir } from '../../server/paths.js'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ejs'))
    .map((e) => path.join(e.parentPath, e.name))
}

describe('translations', () => {
  const keys = Object.keys(catalogs.vi).sort()

  for (const lang of languages) {
    it(`${lang} has every message key, none empty, with the same placeholders as vi`, () => {
      const messages = catalogs[lang] as Record<string, string>
      assert.deepEqual(Object.keys(messages).sort(), keys, `${lang} keys differ from vi`)
      for (const key of keys) {
        assert.ok(messages[key]!.trim().length > 0, `${lang}.${key} is empty`)
        assert.deepEqual(placeholders(messages[key]!), placeholders((catalogs.vi as Record<string, string>)[key]!), `${lang}.${key} placeholders`)
      }
    })
  }

  it('every key a template uses exists (plural keys by their _other form)', () => {
    const used = new Set<string>()
    for (const file of templates(viewsDir)) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\bt\('([^']+)'/g)) used.add(m[1]!)
      for (const m of text.matchAll(/\bt\(`([a-z.]+)\$\{/g)) used.add(m[1]!)
    }
    assert.ok(used.size > 40, `found ${used.size} keys in templates`)
    for (const key of used) {
      if (key.endsWith('.')) {
        assert.ok(keys.some((k) => k.startsWith(key)), `prefix ${key}`)
      } else {
        assert.ok(keys.includes(key) || keys.includes(`${key}_other`), `template key ${key} has no message`)
      }
    }
  })

  it('templates hold no visible text outside t(): only markup, expressions and symbols', () => {
    for (const file of templates(viewsDir)) {
      const text = readFileSync(file, 'utf8')
        .replace(/<%[\s\S]*?%>/g, '')
        .replace(/<[^>]*>/g, '')
        .replace(/\/[\w./-]*/g, '') // paths shown as link text
      const words = text.match(/\p{L}{2,}/gu) ?? []
      assert.deepEqual(words.filter((w) => w !== 'OpenAPI'), [], `untranslated text in ${path.relative(viewsDir, file)}`)
    }
  })

  it('chooses plural forms and formats numbers per language', () => {
    assert.equal(translator('en')('service.days', { count: 1 }), '1 working day')
    assert.equal(translator('en')('service.days', { count: 5 }), '5 working days')
    assert.equal(translator('fr')('service.days', { count: 1 }), '1 jour ouvré')
    assert.equal(translator('vi')('home.serviceCount', { count: 6000 }), '6.000 dịch vụ')
    assert.equal(translator('en')('home.serviceCount', { count: 6000 }), '6,000 services')
  })
})
