import type { NextFunction, Request, RequestHandler, Response } from 'express'

/**
 * Middleware run one after the other as a single layer of Express's router, as they
 * would run as layers of their own: an error (or `next('router')`) leaves the rest for
 * Express, as does an error thrown or a promise rejected (Express 5 catches both in a
 * layer). Each layer Express passes costs a match object, a closure and properties
 * written on the request; the session, CSRF and sign-in middleware are seven of them
 * on every page and submission (docs/performance.md). compose-middleware catches only
 * what is thrown: a rejected promise, which Express 5 turns into an error, would leave
 * the request unanswered.
 */
export function inOrder(handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let i = 0
    const following = (err?: unknown): void => {
      // 'route' skips the rest of a route's handlers: between middleware it means go on.
      if (err && err !== 'route') return next(err)
      const handler = handlers[i++]
      if (!handler) return next()
      try {
        const result: unknown = handler(req, res, following)
        if (result instanceof Promise) result.catch((error: unknown) => next(error ?? new Error('Rejected promise')))
      } catch (error) {
        next(error)
      }
    }
    following()
  }
}
