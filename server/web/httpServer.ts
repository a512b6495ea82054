import http, { IncomingMessage, ServerResponse, type RequestListener } from 'node:http'

/**
 * A request as Node makes it, with room for what the middleware adds to it.
 *
 * V8 keeps the properties of objects of one shape at fixed places, described by a
 * hidden class. Node makes each request with about 26 properties; Express, its router,
 * pino-http, express-session, the CSRF check and Passport then add about 25 more, one
 * statement at a time. Each addition moves the object to another hidden class, and once
 * the room made for it is used, copies its added properties to a larger store; the code
 * that reads a request meets many shapes and slows down. Declared here, set to
 * undefined, they are part of every request from the start, at fixed places.
 *
 * Only plain data is declared, never what a prototype answers: Express 5's getters
 * (`query`, `path`, `ip`…) would be hidden by an own property. Every name below is set
 * by the middleware before anything reads it, or read as "not there yet" when undefined
 * (`req.session || …`, `'body' in req` guards that assign undefined anyway).
 * test/integration/httpServer.test.ts lists what a request gains through the whole app,
 * and fails when a name is missing here.
 *
 * Measured in alternating loads of the two builds (docs/performance.md, 7 December 2026,
 * morning): the web thread's CPU 13–24 % lower a cached page, about 20 % a submission.
 */
export class PortalRequest extends IncomingMessage {
  // Express and its router
  res = undefined
  next = undefined
  baseUrl = undefined
  originalUrl = undefined
  _parsedUrl = undefined
  _parsedOriginalUrl = undefined
  params = undefined
  route = undefined
  body = undefined
  // pino-http (its types declare these on every request; undefined until it sets them)
  override id!: IncomingMessage['id']
  override log!: IncomingMessage['log']
  override allLogs!: IncomingMessage['allLogs']
  // express-session and the CSRF check
  session = undefined
  sessionID = undefined
  sessionStore = undefined
  csrfToken = undefined
  // Passport
  login = undefined
  logIn = undefined
  logout = undefined
  logOut = undefined
  isAuthenticated = undefined
  isUnauthenticated = undefined
  _sessionManager = undefined
  _passport = undefined
  user = undefined
  // express-rate-limit, on the routes it guards
  rateLimit = undefined
}

/** A response as Node makes it, with room for what Express and pino-http add (see PortalRequest). */
export class PortalResponse extends ServerResponse<PortalRequest> {
  // Express
  locals = undefined
  // pino-http's, as on the request
  override log!: ServerResponse['log']
  override allLogs!: ServerResponse['allLogs']
}

/** The portal's HTTP server: Node's, making its requests and responses as above. */
export function createHttpServer(app: RequestListener): http.Server {
  return http.createServer<typeof PortalRequest, typeof ServerResponse<PortalRequest>>({ IncomingMessage: PortalRequest, ServerResponse: PortalResponse }, app)
}
