import type { RequestHandler, Router } from 'express'
import { inOrder } from './inOrder.js'

interface Layer { rawPath?: unknown, route?: unknown }

/** The first path segment, lower-cased as Express matches routes: "/Applications/X/submit" → "applications". */
function firstSegment(path: string): string {
  const end = path.indexOf('/', 1)
  return (end === -1 ? path.slice(1) : path.slice(1, end)).toLowerCase()
}

/**
 * The first path segments a router's layers can match, read off the router itself, so
 * a route added later is covered without a list to keep up to date; undefined when a
 * layer could match anything (a middleware without a path, a pattern or a parameter
 * in the first segment).
 */
function firstSegments(router: Router): Set<string> | undefined {
  const segments = new Set<string>()
  for (const layer of router.stack as Layer[]) {
    const paths = Array.isArray(layer.rawPath) ? layer.rawPath as unknown[] : [layer.rawPath]
    for (const path of paths) {
      if (typeof path !== 'string' || !path.startsWith('/')) return undefined
      const first = firstSegment(path)
      if (/[:*?(){}]/.test(first)) return undefined
      // "/" mounted with use() matches every path; as a route it is the home page alone.
      if (first === '' && !layer.route) return undefined
      segments.add(first)
    }
  }
  return segments
}

/**
 * Enters a router only for the paths it can answer. Express walks every router mounted
 * with app.use() for every request, and entering one costs closures and a scan of its
 * layers: before reaching the application routes a submission passed through seven
 * routers that could not answer it. `before` runs first, for this router's paths only.
 */
export function forItsPaths(router: Router, before?: RequestHandler): RequestHandler {
  const segments = firstSegments(router)
  const enter: RequestHandler = before ? (req, res, next) => before(req, res, (err?: unknown) => (err ? next(err) : router(req, res, next))) : router
  if (!segments) return enter
  return (req, res, next) => (segments.has(firstSegment(req.path)) ? enter(req, res, next) : next())
}

/**
 * Routers in their order, as one layer: each request goes to those of them that can
 * answer its first path segment, one after the other, as if each were mounted with
 * app.use() behind forItsPaths. Every layer Express passes costs a match object, a
 * closure and a property or two written on the request: passing the guards of the
 * twelve routers before its own was about a sixth of what Express's router allocated
 * for a submission (docs/performance.md).
 */
export function routersByPath(routers: Router[]): RequestHandler {
  const entries = routers.map((router) => ({ router, segments: firstSegments(router) }))
  // A router that could answer any path is a candidate for every segment, in its place.
  const anyPath = inOrder(entries.filter((e) => !e.segments).map((e) => e.router))
  const bySegment = new Map<string, RequestHandler>()
  for (const segment of new Set(entries.flatMap((e) => [...e.segments ?? []]))) {
    bySegment.set(segment, inOrder(entries.filter((e) => !e.segments || e.segments.has(segment)).map((e) => e.router)))
  }
  return (req, res, next) => (bySegment.get(firstSegment(req.path)) ?? anyPath)(req, res, next)
}
