import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// The same code runs from server/ (tsx) and from dist/server/ (compiled), so the
// project root is found by walking up to package.json rather than by a fixed depth.
function findRoot(start: string): string {
  let dir = start
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`package.json not found above ${start}`)
    dir = parent
  }
  return dir
}

export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)))
export const viewsDir = path.join(projectRoot, 'views')
export const publicDir = path.join(projectRoot, 'public')
export const servicesDir = path.join(projectRoot, 'services')
/** abbreviations, synonyms and everyday words the search reads (server/domain/catalogue/searchTerms.ts) */
export const searchTermsFile = path.join(servicesDir, 'search-terms.json')
// Agency handlers are code: compiled, they are dist/services/<agency>/handler.js.
const fromSource = path.extname(fileURLToPath(import.meta.url)) === '.ts'
export const handlersDir = fromSource ? servicesDir : path.join(projectRoot, 'dist', 'services')
