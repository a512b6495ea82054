import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { catalogs, languages, translator } from '../../server/i18n/messages.js'
import { viewsDir } from '../../server/paths.js'
import { templateFiles } from '../support/templates.js'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

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
    for (const file of templateFiles()) {
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
    for (const file of templateFiles()) {
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

/** French spacing: a narrow no-break space (U+202F) before : ; ? ! and inside « », never an ordinary space or none. */
function frenchSpacingProblems(text: string): string[] {
  const problems: string[] = []
  if (/[ \u00a0][:;?!»]/.test(text)) problems.push('ordinary space before : ; ? ! »')
  if (/«[ \u00a0]/.test(text) || /«[^\u202f]/.test(text) || /[^\u202f]»/.test(text)) problems.push('« » without narrow spaces')
  if (/[\p{L}’)][;?!](\s|$)/u.test(text) || /[\p{L}’)]:\s/u.test(text)) problems.push('no space before : ; ? !')
  return problems
}

function frenchTexts(value: unknown, at: string, out: Array<[string, string]>): Array<[string, string]> {
  if (Array.isArray(value)) value.forEach((v, i) => frenchTexts(v, `${at}[${i}]`, out))
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'fr' && typeof v === 'string') out.push([`${at}.fr`, v])
      else frenchTexts(v, `${at}.${k}`, out)
    }
  }
  return out
}

describe('French typography', () => {
  it('the French messages space : ; ? ! and « » with a narrow no-break space', () => {
    const bad = Object.entries(catalogs.fr).filter(([, text]) => frenchSpacingProblems(text).length)
    assert.deepEqual(bad.map(([key, text]) => `${key}: ${frenchSpacingProblems(text).join(', ')} in ${JSON.stringify(text)}`), [])
  })

  it('so do the French texts of every manifest', () => {
    const root = path.join(viewsDir, '..', 'services')
    const files = [path.join(root, 'life-events.json'), ...readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(root, e.name, 'manifest.json'))]
    const bad: string[] = []
    for (const file of files) {
      for (const [at, text] of frenchTexts(JSON.parse(readFileSync(file, 'utf8')), path.basename(path.dirname(file)), [])) {
        if (frenchSpacingProblems(text).length) bad.push(`${at}: ${JSON.stringify(text)}`)
      }
    }
    assert.deepEqual(bad, [])
  })
})
