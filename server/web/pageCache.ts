import { createHash } from 'node:crypto'
import type { Request, RequestHandler, Response } from 'express'
import { LRUCache } from 'lru-cache'

interface CachedPage {
  /** encoded once: res.send would otherwise encode a string on every response */
  body: Buffer
  routeName: unknown
  /** what it was sent with (see headersToKeep) */
  headers: Array<[string, number | string | string[]]>
}

// Headers that belong to the request a page was rendered for, not to the page.
const perRequest = new Set(['x-request-id', 'set-cookie'])
const nonceSource = / 'nonce-[^']*'/g

/**
 * The headers a page was first sent with, to send it with again: its type, its ETag,
 * its security headers. A cached page carries no nonce (one rendering serves everyone),
 * so its Content-Security-Policy allows no inline script or style at all: the nonce is
 * taken out of it.
 */
function headersToKeep(res: Response): CachedPage['headers'] {
  return Object.entries(res.getHeaders()).flatMap(([name, value]) => (value === undefined || perRequest.has(name) ? [] : [[
    name, name === 'content-security-policy' ? String(value).replace(nonceSource, '') : value,
  ]]))
}

/**
 * Rendered public catalogue pages, kept for a short time per language and URL. They
 * hold nothing personal and no nonce (these pages carry no inline script; one whose
 * body holds its nonce is not kept), so one rendering serves every visitor, with the
 * headers it was first sent with (its ETag among them). The app answers hits before
 * the per-request security headers are made (server/app.ts): a hit costs no nonce and
 * no new policy. Only pages that rendered with 200 are kept, so a hit
 * is always a valid URL. A request that carries a session (signed in, or a form in
 * progress) neither reads nor fills it.
 */
export function createPageCache(seconds: number, personal: (req: Request) => boolean) {
  const cache = seconds > 0
    ? new LRUCache<string, CachedPage>({
        ttl: seconds * 1000, maxSize: 32 * 1024 * 1024, sizeCalculation: (p) => p.body.length + 2048,
      })
    : undefined
  const keyOf = (req: Request, res: Response) => `${res.locals.lang} ${req.originalUrl}`
  const shared = (req: Request) => !personal(req) && !req.user

  function send(res: Response, page: CachedPage) {
    res.locals['routeName'] = page.routeName
    for (const [name, value] of page.headers) res.setHeader(name, value)
    // With the ETag already set, res.send answers 304 to a matching If-None-Match.
    res.send(page.body)
  }

  return {
    /** Forgets every page (the catalogue changed). */
    clear: () => cache?.clear(),

    /** Answers a GET from the cache before any route runs; goes on to the routes on a miss. */
    serveHits(): RequestHandler {
      return (req, res, next) => {
        const usable = cache && (req.method === 'GET' || req.method === 'HEAD') && !personal(req)
        const hit = usable ? cache.get(keyOf(req, res)) : undefined
        if (hit) return send(res, hit)
        next()
      }
    },

    /** Renders a page (load may throw, e.g. a 404) and keeps it for the next visitors. */
    async render(req: Request, res: Response, view: string, load: () => Promise<object>): Promise<void> {
      const locals = await load()
      const html = await new Promise<string>((resolve, reject) => {
        res.render(view, locals, (err, out) => (err ? reject(err) : resolve(out)))
      })
      keep(req, res, html, 'html')
    },

    /** The same page for everyone: a request without a session, from no one signed in. */
    shared,

    /** Sends a page made elsewhere as bytes (the search thread's), and keeps it as a rendered one. */
    async serve(req: Request, res: Response, load: () => Promise<EncodedPage>): Promise<void> {
      keepEncoded(req, res, await load(), 'html')
    },

    /** Answers JSON (load may throw, e.g. a 404) and keeps it for the next callers, as a page. */
    async json(req: Request, res: Response, load: () => Promise<object>): Promise<void> {
      keep(req, res, JSON.stringify(await load()), 'json')
    },
  }

  function keep(req: Request, res: Response, text: string, type: 'html' | 'json') {
    keepEncoded(req, res, encodePage(text), type)
  }

  function keepEncoded(req: Request, res: Response, encoded: EncodedPage, type: 'html' | 'json') {
    res.set('ETag', encoded.etag).type(type)
    const nonce = res.locals['cspNonce'] as string | undefined
    if (cache && shared(req) && !(nonce && encoded.body.includes(nonce))) {
      cache.set(keyOf(req, res), { body: encoded.body, routeName: res.locals['routeName'], headers: headersToKeep(res) })
    }
    res.send(encoded.body)
  }
}

export interface EncodedPage {
  body: Buffer
  etag: string
}

/** A page's bytes and their ETag, as the cache keeps them. */
export function encodePage(text: string): EncodedPage {
  const body = Buffer.from(text, 'utf8')
  const hash = createHash('sha1').update(body).digest('base64').slice(0, 27)
  return { body, etag: `W/"${body.length.toString(16)}-${hash}"` }
}

export type PageCache = ReturnType<typeof createPageCache>
