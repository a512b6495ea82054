// EJS runs a template inside `with (locals) { … }` by default, and a name looked up
// through `with` is a dynamic lookup that V8 cannot optimise: the search page rendered
// in 284 µs that way, in 117 µs with its locals as plain variables (measured with the
// 6,000-service catalogue, docs/performance.md). Without `with` (EJS's `_with: false`),
// each template must say which locals it reads. This does it as the view engine reads
// the file (./viewEngine.ts): it opens the template with `<% var title = locals.title, …; { %>`
// for every name its code uses, and closes the block at the end. The names go on the template's first line, so
// error line numbers are unchanged; the block lets a template's own `const` shadow a
// local of the same name, as it did inside `with`. A name a template uses but is not
// given reads as undefined, where `with` threw: templates test with `typeof` either way.

// JavaScript's reserved words (and `of`), and the names EJS gives the compiled function itself.
const notLocals = new Set([
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do',
  'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import',
  'in', 'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private', 'protected', 'public',
  'return', 'static', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while',
  'with', 'yield', 'arguments', 'eval', 'of',
  'locals', 'escapeFn', 'include', 'rethrow',
])

// The code inside <% %>, <%= %>, <%- %> and <%_ %>: not comments (<%#) or literals (<%%).
const scriptlet = /<%([_=\-#%]?)([\s\S]*?)[-_]?%>/g
const quoted = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g
// A name not preceded by a dot (a property) or by a character of a longer name.
const name = /(?<![\w$.])[A-Za-z_$][\w$]*/g

/** Every name a template's code reads, but keywords and EJS's own: its locals and the globals it uses. */
export function namesIn(template: string): string[] {
  const names = new Set<string>()
  for (const [, kind, code = ''] of template.matchAll(scriptlet)) {
    if (kind === '#' || kind === '%') continue
    for (const [found] of code.replace(quoted, "''").matchAll(name)) {
      if (!notLocals.has(found) && !found.startsWith('__')) names.add(found)
    }
  }
  return [...names].sort()
}

/**
 * The names a template's code reads that may be locals: not the globals (Math, JSON…),
 * which stay globals. A local given the name of a global would read the global: the
 * test of every template keeps the globals templates use to a known list.
 */
export function localsOf(template: string): string[] {
  return namesIn(template).filter((n) => !(n in globalThis))
}

/** The template with its locals declared as variables, for rendering with `_with: false`. */
export function declareLocals(template: string): string {
  const names = localsOf(template)
  const declared = names.length === 0 ? '' : `var ${names.map((n) => `${n} = locals.${n}`).join(', ')}; `
  return `<% ${declared}{ %>${template}<% } %>`
}
