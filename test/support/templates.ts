import { readdirSync } from 'node:fs'
import path from 'node:path'
import { viewsDir } from '../../server/paths.js'

/** Every EJS template under views/, by its full path. */
export function templateFiles(): string[] {
  return readdirSync(viewsDir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ejs'))
    .map((e) => path.join(e.parentPath, e.name))
}
