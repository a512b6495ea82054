import { readFileSync } from 'node:fs'
import path from 'node:path'
import ejs from 'ejs'
import { declareLocals } from './templateLocals.js'

type Include = (view: string, data?: object) => string
type Compiled = (locals: object, escape: (text: unknown) => string, include: Include) => string

export interface ViewEngineOptions {
  /** where "/partials/head" is looked for: the views folder */
  root: string
  /** compile each file once (production); otherwise read it again on every render */
  cache: boolean
}

/**
 * EJS as Express's view engine, with a cheaper include. EJS's own include copies every
 * local of the page into a new object for each partial, then copies its options and
 * resolves the path again: on the search page that was a fifth of all the memory a
 * request allocates (sampled under the uncached search load, docs/performance.md). Here
 * a partial reads its page's locals through the prototype chain, with what the include
 * passes on top, and each file is compiled once into a plain function (EJS's `client`
 * form, handed this include). Templates still declare their locals as variables
 * (./templateLocals.ts), so no `with` is needed.
 */
export function createViewEngine(options: ViewEngineOptions) {
  const compiled = new Map<string, Compiled>()

  function compile(file: string): Compiled {
    let fn = compiled.get(file)
    if (!fn) {
      const text = declareLocals(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''))
      fn = ejs.compile(text, { client: true, _with: false, filename: file, root: options.root }) as unknown as Compiled
      if (options.cache) compiled.set(file, fn)
    }
    return fn
  }

  /** A partial's file: under the root for "/partials/x", else beside the including file; ".ejs" when it has no extension. */
  const files = new Map<string, string>()
  function fileOf(view: string, from: string): string {
    const key = view.startsWith('/') ? view : `${from}\n${view}`
    let file = files.get(key)
    if (!file) {
      const found = view.startsWith('/') ? path.join(options.root, view) : path.resolve(path.dirname(from), view)
      file = path.extname(found) ? found : `${found}.ejs`
      files.set(key, file)
    }
    return file
  }

  function render(file: string, locals: object): string {
    const include: Include = (view, data) => render(fileOf(view, file), Object.assign(Object.create(locals) as object, data))
    return compile(file)(locals, ejs.escapeXML, include)
  }

  /** Express's view engine; `render` is the same, called directly (a page rendered outside a request: the search thread's). */
  const engine = (file: string, locals: object, done: (err: unknown, html?: string) => void): void => {
    let html: string
    try {
      html = render(file, locals)
    } catch (err) {
      done(err)
      return
    }
    done(null, html)
  }
  return Object.assign(engine, { render })
}
