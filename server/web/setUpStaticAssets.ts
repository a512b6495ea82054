import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import express, { type Router } from 'express'

function fingerprints(dir: string): Map<string, string> {
  const found = new Map<string, string>()
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12)
    found.set(path.relative(dir, file).split(path.sep).join('/'), hash)
  }
  return found
}

// Assets are linked as /assets/<file>?v=<content hash>, so a changed file has a new
// URL and every URL can be cached for a year.
/** An asset's address with its fingerprint, for templates (`asset('css/app.css')`). */
export function assetUrls(publicDir: string): (file: string) => string {
  const hashes = fingerprints(publicDir)
  return (file: string) => {
    const hash = hashes.get(file)
    if (!hash) throw new Error(`No such asset: ${file}`)
    return `/assets/${file}?v=${hash}`
  }
}

export function setUpStaticAssets(publicDir: string): { router: Router, asset: (file: string) => string } {
  const asset = assetUrls(publicDir)
  const router = express.Router()
  router.use('/assets', express.static(publicDir, { maxAge: '365d', immutable: true, index: false, fallthrough: true }))
  router.get('/favicon.ico', (_req, res) => res.redirect(301, asset('images/favicon.svg')))
  return { router, asset }
}
