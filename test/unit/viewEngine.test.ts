import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { createViewEngine } from '../../server/web/viewEngine.js'

const root = mkdtempSync(path.join(tmpdir(), 'views-'))
mkdirSync(path.join(root, 'partials'))
const files: Record<string, string> = {
  'page.ejs': '<h1><%= title %></h1><%- include(\'/partials/item\', { name: \'a\' }) %>|<%- include(\'./partials/item\', { name: \'<b>\' }) %>|<%= name ?? \'unset\' %>',
  'partials/item.ejs': '<% locals.title = \'changed\' %><i><%= prefix %><%= name %></i>',
  'broken.ejs': 'one\ntwo\n<%= missing.here %>',
}
for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, file), text)

function render(view: string, locals: object, cache = true): Promise<string> {
  const engine = createViewEngine({ root, cache })
  return new Promise((resolve, reject) => engine(path.join(root, view), locals, (err, html) => (err ? reject(err as Error) : resolve(html!))))
}

describe('the view engine', () => {
  it('gives a partial its page’s locals and what the include passes, escaped, by path under the root or beside the file', async () => {
    const html = await render('page.ejs', { title: 'Tiêu đề', prefix: '#', name: undefined })
    assert.equal(html, '<h1>Tiêu đề</h1><i>#a</i>|<i>#&lt;b&gt;</i>|unset')
  })

  it('keeps what a partial sets to itself: the page’s locals are unchanged', async () => {
    const locals = { title: 'kept', prefix: '', name: 'page' }
    await render('page.ejs', locals)
    assert.equal(locals.title, 'kept')
  })

  it('reports a template’s error with its file and line', async () => {
    await assert.rejects(render('broken.ejs', {}), (err: Error) => err.message.includes('broken.ejs:3') && /missing/.test(err.message))
  })

  it('reads a file again on every render when it does not cache', async () => {
    const file = path.join(root, 'changing.ejs')
    writeFileSync(file, 'first')
    const engine = createViewEngine({ root, cache: false })
    const once = (): Promise<string> => new Promise((resolve, reject) => engine(file, {}, (err, html) => (err ? reject(err as Error) : resolve(html!))))
    assert.equal(await once(), 'first')
    writeFileSync(file, 'second')
    assert.equal(await once(), 'second')
  })
})
