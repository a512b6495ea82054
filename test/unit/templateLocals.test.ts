import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import ejs from 'ejs'
import { viewsDir } from '../../server/paths.js'
import { declareLocals, localsOf, namesIn } from '../../server/web/templateLocals.js'
import { templateFiles } from '../support/templates.js'

const render = (template: string, data: Record<string, unknown>, withWith: boolean) =>
  ejs.render(withWith ? template : declareLocals(template), data, { _with: withWith })

describe('template locals without with', () => {
  it('finds the names a template reads, not keywords, properties, strings, comments or globals', () => {
    const template = `<%# ignored comment %><% for (const item of items) { %><%= item.title %><%= t('x.y') %><% } %>
<%- include('/partials/z', { service }) %><%= JSON.stringify(data) %><% if (typeof hint !== 'undefined') { %>"hint"<% } %><%% literal %>`
    assert.deepEqual(localsOf(template), ['data', 'hint', 'item', 'items', 'service', 't'])
  })

  it('renders as with `with`, a template const shadowing a local of the same name', () => {
    const template = `<% const total = items.length * 2 %><ul><% items.forEach((item) => { %><li><%= label %>: <%= item %></li><% }) %></ul><%= total %>
<% if (typeof missing === 'undefined') { %>none<% } %>`
    const data = { items: ['a', '<b>'], label: 'L', total: 99 }
    assert.equal(render(template, data, false), render(template, data, true))
    assert.equal(render(template, data, false), '<ul><li>L: a</li><li>L: &lt;b&gt;</li></ul>4\nnone')
  })

  it('keeps line numbers in errors', () => {
    assert.throws(() => render('a\nb\n<% nothing.here %>', {}, false), /ejs:3\n/)
  })

  it('every template under views/ compiles without `with`, and uses only the globals it is known to', () => {
    const files = templateFiles()
    assert.ok(files.length > 30, `found ${files.length} templates`)
    // A local named like a global (a `URL`, a `crypto`) would read the global: a new name here is a review.
    const knownGlobals = new Set(['Array', 'Boolean', 'Date', 'JSON', 'Math', 'Number', 'Object', 'String', 'URLSearchParams', 'encodeURIComponent', 'undefined'])
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      assert.doesNotThrow(() => ejs.compile(declareLocals(text), { _with: false, filename: file, root: viewsDir }), file)
      const globals = namesIn(text).filter((n) => n in globalThis && !knownGlobals.has(n))
      assert.deepEqual(globals, [], `${file} reads globals ${globals.join(', ')}`)
    }
  })
})
