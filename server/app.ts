import express, { type RequestHandler } from 'express'
import type { Store as RateLimitStore } from 'express-rate-limit'
import type { Store as SessionStore } from 'express-session'
import type { Logger } from 'pino'
import type { CatalogueService } from './domain/catalogue/catalogueService.js'
import type { ApplicationService } from './domain/applications/applicationService.js'
import type { AccountService } from './domain/identity/accountService.js'
import type { BusinessService } from './domain/identity/businessService.js'
import { createRequestLogger } from './logger.js'
import { publicDir, viewsDir } from './paths.js'
import { accountRoutes } from './routes/accountRoutes.js'
import { apiRoutes } from './routes/apiRoutes.js'
import { applicationRoutes, uploadPaths } from './routes/applicationRoutes.js'
import { catalogueRoutes } from './routes/catalogueRoutes.js'
import { healthRoutes, type Health } from './routes/healthRoutes.js'
import { nationalAuthRoutes } from './routes/nationalAuthRoutes.js'
import { profileRoutes } from './routes/profileRoutes.js'
import { sessionNoticeRoutes } from './routes/sessionNoticeRoutes.js'
import { staffRoutes } from './routes/staffRoutes.js'
import { openDataRoutes } from './routes/openDataRoutes.js'
import { createPageCache } from './web/pageCache.js'
import { forItsPaths } from './web/forItsPaths.js'
import { createAuthenticator, setUpAuth } from './web/setUpAuth.js'
import { setUpCsrf } from './web/setUpCsrf.js'
import { setUpErrorHandling } from './web/setUpErrorHandling.js'
import { setUpI18n } from './web/setUpI18n.js'
import { sessionCookieName, setUpSession } from './web/setUpSession.js'
import { setUpStaticAssets } from './web/setUpStaticAssets.js'
import { setUpViewHelpers } from './web/setUpViewHelpers.js'
import { setUpStaticSecurityHeaders, setUpWebSecurity } from './web/setUpWebSecurity.js'

export interface AppDeps {
  config: {
    production: boolean, trustProxy: number | string | false, catalogueCacheSeconds: number, sessionSecret: string, publicUrl: string
    nationalId: { issuer: string, clientId: string, clientSecret: string } | undefined
  }
  logger: Logger
  catalogue: CatalogueService
  accounts: AccountService
  businesses: BusinessService
  applications: ApplicationService
  sessionStore: SessionStore
  rateLimitStore: (prefix: string) => RateLimitStore
  health: Health
}

// The Agency and open-data APIs are stateless (bearer keys, no cookies): no session,
// so no CSRF either.
const exceptApi = (handlers: RequestHandler[]): RequestHandler[] => handlers.map((handler) =>
  (req, res, next) => (req.path.startsWith('/api/') ? next() : handler(req, res, next)))

/** Builds the web application. No I/O, never listens: server/index.ts does that. */
export function createApp(deps: AppDeps): express.Application {
  const { config, logger, catalogue, accounts, health } = deps
  const app = express()
  app.set('trust proxy', config.trustProxy)
  app.set('views', viewsDir)
  app.set('view engine', 'ejs')
  app.set('view cache', config.production)
  app.set('query parser', 'simple')

  const assets = setUpStaticAssets(publicDir)
  const staticHeaders = setUpStaticSecurityHeaders()
  app.use(forItsPaths(assets.router, staticHeaders))
  app.use(createRequestLogger(logger))
  app.use(forItsPaths(healthRoutes(health), staticHeaders))
  const national = config.nationalId && { ...config.nationalId, callbackUrl: `${config.publicUrl}/auth/national/callback` }
  app.use(setUpWebSecurity(config.production, { formTargets: national ? [new URL(national.issuer).origin] : [] }))
  app.use(setUpI18n(config.production))
  const cookieName = sessionCookieName(config.production)
  const pages = createPageCache(config.catalogueCacheSeconds, (req) => req.headers.cookie?.includes(`${cookieName}=`) ?? false)
  app.use(pages.serveHits())
  app.use(setUpViewHelpers(assets.asset))
  app.use(express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 50 }))
  // Before the session: showing the idle-timeout warning must not extend the session.
  app.use(sessionNoticeRoutes.warning)
  const authenticator = createAuthenticator(accounts)
  const csrf = setUpCsrf({ multipartPaths: uploadPaths })
  app.use(...exceptApi([
    ...setUpSession({ production: config.production, secret: config.sessionSecret, store: deps.sessionStore }),
    csrf.check,
    ...setUpAuth(authenticator),
  ]))

  const routers = [
    catalogueRoutes(catalogue, pages),
    sessionNoticeRoutes.timedOut,
    accountRoutes({ accounts, authenticator, rateLimitStore: deps.rateLimitStore }),
    nationalAuthRoutes({ settings: national, accounts, authenticator, logger }),
    profileRoutes({ accounts, businesses: deps.businesses }),
    staffRoutes({ accounts, catalogue, applications: deps.applications }),
    applicationRoutes({ applications: deps.applications, catalogue, businesses: deps.businesses, checkCsrfAfterUpload: csrf.checkAfterUpload, rateLimitStore: deps.rateLimitStore }),
    openDataRoutes(catalogue, config.publicUrl),
    apiRoutes(catalogue, config.publicUrl),
  ]
  app.use(routers.map((router) => forItsPaths(router)))

  app.use(...setUpErrorHandling(config.production))
  return app
}
