import express, { type Request, type RequestHandler } from 'express'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import type { Services } from './services.js'
import { createRequestLogger } from './logger.js'
import { publicDir, viewsDir } from './paths.js'
import { accountRoutes } from './routes/accountRoutes.js'
import { adminRoutes } from './routes/adminRoutes.js'
import { agencyApiRoutes } from './routes/agencyApiRoutes.js'
import { agencyRoutes } from './routes/agencyRoutes.js'
import { agencySettingsRoutes } from './routes/agencySettingsRoutes.js'
import { apiRoutes } from './routes/apiRoutes.js'
import { applicationRoutes, uploadPaths } from './routes/applicationRoutes.js'
import { auditLogRoutes } from './routes/auditLogRoutes.js'
import { auditRoutes } from './routes/auditRoutes.js'
import { catalogueRoutes } from './routes/catalogueRoutes.js'
import { dataUseRoutes } from './routes/dataUseRoutes.js'
import { verifyRoutes } from './routes/verifyRoutes.js'
import { healthRoutes } from './routes/healthRoutes.js'
import { nationalAuthRoutes } from './routes/nationalAuthRoutes.js'
import { profileRoutes } from './routes/profileRoutes.js'
import { sessionNoticeRoutes } from './routes/sessionNoticeRoutes.js'
import { openDataRoutes } from './routes/openDataRoutes.js'
import { statisticsRoutes } from './routes/statisticsRoutes.js'
import { createPageCache } from './web/pageCache.js'
import { forItsPaths, routersByPath } from './web/forItsPaths.js'
import { inOrder } from './web/inOrder.js'
import { recordRequests } from './web/requestLog.js'
import { createAuthenticator, setUpAuth } from './web/setUpAuth.js'
import { setUpCsrf } from './web/setUpCsrf.js'
import { isApiPath, setUpErrorHandling } from './web/setUpErrorHandling.js'
import { setUpI18n } from './web/setUpI18n.js'
import { sessionCookieName, setUpSession } from './web/setUpSession.js'
import { setUpStaticAssets } from './web/setUpStaticAssets.js'
import { setUpViewHelpers } from './web/setUpViewHelpers.js'
import { createViewEngine } from './web/viewEngine.js'
import type { SearchPage } from './web/searchPage.js'
import { setUpStaticSecurityHeaders, setUpWebSecurity } from './web/setUpWebSecurity.js'

export interface AppDeps {
  config: Pick<Config, 'production' | 'trustProxy' | 'catalogueCacheSeconds' | 'sessionSecret' | 'publicUrl' | 'nationalId' | 'agencyApiPerMinute'>
  logger: Logger
  services: Services
  /** for /readyz: false while the process drains; the database's answer by default */
  ready?: () => Promise<boolean>
  /** the search page of a visitor without a session (the search thread's); rendered on the web thread by default */
  searchPage?: SearchPage
}

// The Agency and open-data APIs are stateless (bearer keys, no cookies): no session,
// so no CSRF either. The handlers run as one layer (web/inOrder.ts).
function exceptApi(handlers: RequestHandler[]): RequestHandler {
  const all = inOrder(handlers)
  return (req, res, next) => (isApiPath(req.path) ? next() : all(req, res, next))
}

/** Builds the web application. No I/O, never listens: server/index.ts does that. */
export function createApp(deps: AppDeps): express.Application {
  const { config, logger, services } = deps
  const { catalogue, accounts, applications, businesses, rateLimitStore, agencies } = services
  const app = express()
  app.set('trust proxy', config.trustProxy)
  app.set('views', viewsDir)
  // Templates include partials by their place under views/ ("/partials/head"); locals
  // are plain variables, not looked up through `with` (server/web/viewEngine.ts).
  app.engine('ejs', createViewEngine({ root: viewsDir, cache: config.production }))
  app.set('view engine', 'ejs')
  app.set('view cache', config.production)
  app.set('query parser', 'simple')
  // Helmet drops it from pages; the static files, health probes and the Agency API never send it either.
  app.disable('x-powered-by')

  const assets = setUpStaticAssets(publicDir)
  const staticHeaders = setUpStaticSecurityHeaders()
  app.use(forItsPaths(assets.router, staticHeaders))
  app.use(createRequestLogger(logger))
  app.use(forItsPaths(healthRoutes({ ready: deps.ready ?? services.databaseReady }), staticHeaders))
  // A row per request from here on: not the static files and health probes above.
  app.use(recordRequests(services.audit.requestLog))
  const national = config.nationalId && { ...config.nationalId, callbackUrl: `${config.publicUrl}/auth/national/callback` }
  app.use(setUpI18n(config.production))
  // A public page already rendered (the catalogue's, or the statistics') is sent as it
  // was, with its own headers, before the per-request security headers (a nonce) are
  // made for the pages rendered below.
  const cookieName = sessionCookieName(config.production)
  const personal = (req: Request) => req.headers.cookie?.includes(`${cookieName}=`) ?? false
  const pages = createPageCache(config.catalogueCacheSeconds, personal)
  catalogue.onChange(() => pages.clear())
  // Statistics pages change with each snapshot (hourly), whatever the catalogue cache's setting.
  const statisticsPages = createPageCache(3600, personal)
  services.statistics.onRefresh(() => statisticsPages.clear())
  catalogue.onChange(() => statisticsPages.clear())
  app.use(inOrder([pages.serveHits(), statisticsPages.serveHits()]))
  // The Agency API is stateless (a bearer key, JSON in and out): straight after the
  // language its problems are written in, before everything that serves pages. What it
  // answers is never a page, so its security headers are the fixed ones, without a nonce.
  const agencyApi = agencyApiRoutes({
    ...agencies, applications, results: services.results, publicUrl: config.publicUrl, rateLimitStore: services.bufferedRateLimitStore,
    perMinute: config.agencyApiPerMinute,
  })
  const agencyApiPath = /^\/api\/v1\/agency(?:\/|$)/i
  app.use((req, res, next) => (agencyApiPath.test(req.path) ? staticHeaders(req, res, () => agencyApi(req, res, next)) : next()))
  app.use(setUpWebSecurity(config.production, { formTargets: national ? [new URL(national.issuer).origin] : [] }))
  app.use(setUpViewHelpers(assets.asset))
  // The public catalogue for a visitor without a session, before the session, the CSRF
  // check and the sign-in state, as the page cache serves it: the same page for everyone,
  // nothing personal, no form token. A visitor with a session goes on to the same routes below.
  const cataloguePages = catalogueRoutes(catalogue, pages, deps.searchPage, services.statistics.estimate)
  const catalogueRouter = forItsPaths(cataloguePages)
  const statisticsPagesRouter = statisticsRoutes({ statistics: services.statistics, catalogue, pages: statisticsPages, publicUrl: config.publicUrl })
  const statisticsRouter = forItsPaths(statisticsPagesRouter)
  app.use((req, res, next) => (personal(req) ? next() : catalogueRouter(req, res, next)))
  app.use((req, res, next) => (personal(req) ? next() : statisticsRouter(req, res, next)))
  app.use(express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 50 }))
  // Before the session: showing the idle-timeout warning must not extend the session.
  app.use(forItsPaths(sessionNoticeRoutes.warning))
  const authenticator = createAuthenticator(accounts, (sessionId, userId) => services.sessionStore.userOf(sessionId, userId))
  const csrf = setUpCsrf({ multipartPaths: uploadPaths })
  app.use(exceptApi([
    ...setUpSession({ production: config.production, secret: config.sessionSecret, store: services.sessionStore }),
    csrf.check,
    ...setUpAuth(authenticator),
  ]))

  app.use(routersByPath([
    cataloguePages,
    statisticsPagesRouter,
    sessionNoticeRoutes.timedOut,
    accountRoutes({ accounts, authenticator, rateLimitStore }),
    nationalAuthRoutes({ settings: national, accounts, authenticator, logger }),
    profileRoutes({ accounts, businesses }),
    agencyRoutes({ catalogue, applications, accounts, results: services.results, statistics: services.statistics }),
    agencySettingsRoutes({ ...agencies, accounts, applications, catalogue }),
    auditRoutes({ search: services.audit.search, catalogue }),
    dataUseRoutes({ personalData: services.audit.personalData }),
    verifyRoutes({ results: services.results }),
    adminRoutes({ accounts, catalogue, applications, onboarding: agencies.onboarding, endpoints: agencies.endpoints, services: agencies.services }),
    applicationRoutes({
      applications, catalogue, businesses, results: services.results, statistics: services.statistics,
      checkCsrfAfterUpload: csrf.checkAfterUpload, rateLimitStore,
    }),
    openDataRoutes(catalogue, config.publicUrl),
    apiRoutes(catalogue, config.publicUrl),
    auditLogRoutes(services.audit.transparencyLog),
  ]))

  app.use(...setUpErrorHandling(config.production))
  return app
}
