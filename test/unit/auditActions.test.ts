import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { auditActions } from '../../server/domain/audit/actions.js'
import { catalogs } from '../../server/i18n/messages.js'

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name)
    return e.isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : []
  })
}

describe('audit actions', () => {
  it('lists every action the server writes, each with a label in the three languages', () => {
    const written = new Set<string>()
    for (const file of sources('server')) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/action: '([a-z][a-z.-]+)'/g)) written.add(m[1]!)
      for (const m of text.matchAll(/action: code \? '([a-z.-]+)' : '([a-z.-]+)'/g)) written.add(m[1]!).add(m[2]!)
      for (const m of text.matchAll(/record\('([a-z][a-z.-]+)'/g)) written.add(m[1]!)
    }
    written.delete('deny') // Helmet's X-Frame-Options, not an audit action
    assert.ok(written.size > 30, `found only ${written.size} actions: the patterns no longer match the code`)
    assert.deepEqual([...written].filter((a) => !(auditActions as readonly string[]).includes(a)).sort(), [])
    for (const lang of ['vi', 'en', 'fr'] as const) {
      const missing = auditActions.filter((a) => !(`auditor.action.${a}` in catalogs[lang]))
      assert.deepEqual(missing, [], lang)
    }
  })
})
