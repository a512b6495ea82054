import express from 'express'
import type { Logger } from 'pino'
import type { CatalogueService } from './domain/catalogue/catalogueService.js'
import { createRequestLogger } from './logger.js'
import { publicDir, viewsDir } from './paths.js'
import { apiRoutes } from './routes/apiRoutes.js'
import { catalogueRoutes } from './routes/catalogueRoutes.js'
import { healthRoutes, type Health } from './routes/healthRoutes.js'
import { openDataRoutes } from './routes/openDataRoutes.js'
import { createPageCache } from './web/pageCache.js'
import { setUpErrorHandling } from './web/setUpErrorHandling.js'
import { setUpI18n } from './web/setUpI18n.js'
import { setUpStaticAssets } from './web/setUpStaticAssets.js'
import { setUpViewHelpers } from './web/setUpViewHelpers.js'
import { setUpWebSecurity } from './web/setUpWebSecurity.js'

export interface AppDeps {
  config: { production: boolean, trustProxy: number | string, catalogueCacheSeconds: number }
  logger: Logger
  catalogue: CatalogueService
  health: Health
}

/** Builds the web application. No I/O, never listens: server/index.ts does that. */
export function createApp({ config, logger, catalogue, health }: AppDeps): express.Application {
  const app = express()
  app.set('trust proxy', config.trustProxy)
  app.set('views', viewsDir)
  app.set('view engine', 'ejs')
  app.set('view cache', config.production)
  app.set('query parser', 'simple')

  const assets = setUpStaticAssets(publicDir)
  app.use(assets.router)
  app.use(createRequestLogger(logger))
  app.use(healthRoutes(health))
  app.use(setUpWebSecurity(config.production))
  app.use(setUpI18n(config.production))
  const pages = createPageCache(config.catalogueCacheSeconds)
  app.use(pages.serveHits())
  app.use(setUpViewHelpers(assets.asset))

  app.use(catalogueRoutes(catalogue, pages))
  app.use(openDataRoutes(catalogue))
  app.use(apiRoutes(catalogue))

  app.use(...setUpErrorHandling(config.production))
  return app
}
