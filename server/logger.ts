import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { pino, type Logger, type DestinationStream } from 'pino'
import { pinoHttp } from 'pino-http'

// Whatever a log line may hold that is secret or personal. Request serializers below
// never copy headers or bodies. Code logs personal data only under these keys, at the
// top level or under the named parents; "*.key" wildcards would cover any nesting but
// walk every line, which costs request throughput (docs/performance.md).
const sensitive = [
  'password', 'newPassword', 'token', 'accessToken', 'idToken', 'apiKey', 'secret',
  'citizenId', 'cccd', 'birthdate', 'answers', 'email', 'phone', 'address',
]
const parents = ['user', 'profile', 'form', 'claims', 'account']
export const redactPaths = [
  ...sensitive,
  ...parents.flatMap((parent) => sensitive.map((key) => `${parent}.${key}`)),
  'req.headers', 'res.headers', 'headers', 'body', 'err.body', 'err.config',
]

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'portal' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  }
  // Asynchronous, buffered writes keep logging off the request's critical path;
  // index.ts flushes on shutdown.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }))
}

const requestIdPattern = /^[A-Za-z0-9._-]{8,128}$/

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id']
  const id = typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID()
  res.setHeader('X-Request-Id', id)
  return id
}

// The path without its query string: queries can carry what a person typed. A result's
// verification code is not kept either: what was checked is counted, never logged.
function pathOf(url: string | undefined): string {
  if (!url) return ''
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  return path.startsWith('/verify/') ? '/verify/:code' : path
}

function withWho(res: ServerResponse, line: object): object {
  const locals = (res as ServerResponse & { locals?: Record<string, unknown> }).locals
  return { ...line, route: locals?.['routeName'], user: locals?.['userId'], role: locals?.['role'] }
}

const silent = () => {}

/**
 * A logger standing for `make()`'s child, made only when the request first logs at a
 * level the logger writes (or asks anything else of it). pino-http binds a child to
 * every request (its bindings serialized, its level methods set), though most requests
 * write nothing at the info level; pino-http as a whole was about a sixth of an Agency
 * API read's time on the web thread (docs/performance.md).
 */
function childWhenUsed(parent: Logger, make: () => Logger): Logger {
  let child: Logger | undefined
  return new Proxy(parent, {
    get(_target, name) {
      if (!child && typeof name === 'string' && name in parent.levels.values && !parent.isLevelEnabled(name)) return silent
      child ??= make()
      const value: unknown = Reflect.get(child, name, child)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(child) : value
    },
  })
}

/** The logger pino-http is given: its own child as pino-http makes it, whose children per request are made when used. */
function withRequestChildrenWhenUsed(logger: Logger): Logger {
  const child = logger.child.bind(logger)
  return Object.assign(Object.create(logger) as Logger, {
    child: (bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => {
      const own = child(bindings, options)
      const makeChild = own.child.bind(own)
      return Object.assign(own, { child: (b: pino.Bindings, o?: pino.ChildLoggerOptions) => childWhenUsed(own, () => makeChild(b, o)) })
    },
  })
}

export function createRequestLogger(logger: Logger) {
  const debug = logger.isLevelEnabled('debug')
  return pinoHttp({
    logger: withRequestChildrenWhenUsed(logger),
    genReqId: requestId,
    // A small, flat line per request: building the default request/response objects
    // (all headers) is most of what request logging costs.
    serializers: {
      req: (req: { id: string, method: string, url: string, raw?: IncomingMessage }) => ({
        id: req.id, method: req.method, path: pathOf(req.url),
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    wrapSerializers: false,
    // Every request is a row of the request log already (server/web/requestLog.ts), kept,
    // archived and searchable by auditors: a line for each answered one too would cost
    // a tenth of a page's throughput to say it twice (docs/decisions/request-lines.md).
    // Failures are lines as well; LOG_LEVEL=debug writes a line for every request.
    // Silent when the line would not be written anyway: pino-http builds its object first.
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : debug ? 'debug' : 'silent'),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    // Added when the response is done (customProps would build a child logger per request).
    customSuccessObject: (_req, res, line) => withWho(res, line),
    customErrorObject: (_req, res, _err, line) => withWho(res, line),
  })
}
