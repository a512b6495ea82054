import type { Request, RequestHandler } from 'express'
import { rateLimit, type RateLimitRequestHandler, type Store } from 'express-rate-limit'

/** A limit counted in the portal database (so every instance shares it); over it, a localized 429 page. */
export interface LimiterOptions { windowMinutes: number, limit: number, key?: (req: Request) => string, onLimit?: RequestHandler }

export function limiter(store: Store, options: LimiterOptions): RateLimitRequestHandler {
  return rateLimit({
    windowMs: options.windowMinutes * 60_000,
    limit: options.limit,
    store,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(options.key ? { keyGenerator: options.key } : {}),
    handler: options.onLimit ?? ((_req, res) => { res.status(429).render('pages/account/tooMany') }),
  })
}
