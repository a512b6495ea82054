import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express'
import { HttpError, notFound } from './httpErrors.js'

/** An API path, in any case, as Express matches routes ("/API/v1/…" reaches the same handlers). */
export const isApiPath = (path: string) => /^\/api\//i.test(path)
const wantsProblemJson = (req: Request) => isApiPath(req.path)

function sendProblem(req: Request, res: Response, err: HttpError) {
  const t = res.locals.t
  const body: Record<string, unknown> = {
    type: 'about:blank',
    title: t(err.titleKey),
    status: err.status,
    instance: req.originalUrl.split('?')[0],
  }
  if (err.detail) body['detail'] = t(err.detail.key, err.detail.params)
  if (err.invalidFields.length) {
    body['invalid-params'] = err.invalidFields.map((f) => ({ name: f.name, reason: t(f.reason.key, f.reason.params) }))
  }
  body['requestId'] = req.id
  res.status(err.status).type('application/problem+json').send(JSON.stringify(body))
}

function sendPage(req: Request, res: Response, err: HttpError, showStack?: string) {
  const view = err.status === 404 ? 'pages/errors/notFound' : err.status >= 500 ? 'pages/errors/serverError' : 'pages/errors/clientError'
  res.status(err.status).render(view, { error: err, stack: showStack }, (renderError, html) => {
    if (!renderError) return res.send(html)
    // The error page itself failed: still answer, in words, never with a stack.
    req.log.error({ err: renderError }, 'error page failed to render')
    res.type('text/plain; charset=utf-8').send(res.locals.t?.(err.titleKey) ?? 'Error')
  })
}

/** The last two middlewares: 404 for what no route matched, then one error handler. */
export function setUpErrorHandling(production: boolean): [RequestHandler, ErrorRequestHandler] {
  const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound())
  const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err)
    let httpError: HttpError
    if (err instanceof HttpError) {
      httpError = err
    } else if (isClientError(err)) {
      // body-parser and friends: malformed input is the client's, not a 500.
      httpError = new HttpError(err.status, 'error.badRequest.title', { key: 'error.badRequest.body' })
    } else {
      req.log.error({ err }, 'unhandled error')
      httpError = new HttpError(500, 'problem.server', { key: 'error.server.body' })
    }
    if (wantsProblemJson(req)) return sendProblem(req, res, httpError)
    const stack = !production && !(err instanceof HttpError) && err instanceof Error ? err.stack : undefined
    return sendPage(req, res, httpError, stack)
  }
  return [notFoundHandler, errorHandler]
}

function isClientError(err: unknown): err is { status: number } {
  const status = (err as { status?: unknown } | null)?.status
  return typeof status === 'number' && status >= 400 && status < 500
}
