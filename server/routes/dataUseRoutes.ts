import { Router } from 'express'
import { ZipArchive } from 'archiver'
import type { PersonalData } from '../domain/audit/personalData.js'
import { presenter } from '../web/auditPresenter.js'
import { notFound } from '../web/httpErrors.js'
import { requestContext } from '../web/requestContext.js'
import { allow } from '../web/setUpAuth.js'
import { noStore } from '../web/setUpWebSecurity.js'

const everyone = allow('citizen', 'officer', 'agency_admin', 'auditor', 'admin')

/**
 * The person's own view of the audit trail: who read their data, when, what and why;
 * and the archive of everything the portal holds about them, behind a single-use link.
 */
export function dataUseRoutes(deps: { personalData: PersonalData }): Router {
  const { personalData } = deps
  const router = Router()
  router.use('/account/data-use', noStore, everyone)
  router.use('/account/download', noStore, everyone)

  router.get('/account/data-use', async (req, res) => {
    res.locals['routeName'] = 'account.data-use'
    const before = typeof req.query['before'] === 'string' && /^\d{1,15}$/.test(req.query['before']) ? Number(req.query['before']) : undefined
    const use = await personalData.dataUse(req.user!.id, before)
    const show = presenter(res.locals.t, res.locals.lang, use.names)
    res.render('pages/account/dataUse', {
      uses: use.events.map((e) => {
        const shown = show.event(e)
        const reason = e.detail['reason']
        return { ...shown, by: typeof e.detail['by'] === 'string' ? e.detail['by'] : '', reason: typeof reason === 'string' ? reason : null,
          fields: Array.isArray(e.detail['fields']) ? (e.detail['fields'] as unknown[]).map(String) : [] }
      }),
      older: use.older,
    })
  })

  router.post('/account/download', async (req, res) => {
    res.locals['routeName'] = 'account.download.request'
    const token = await personalData.requestArchive(req.user!.id, requestContext(req))
    res.render('pages/account/downloadReady', { link: `/account/download/${token}` })
  })

  router.get('/account/download/:token', async (req, res) => {
    res.locals['routeName'] = 'account.download'
    const files = await personalData.openArchive(req.user!.id, req.params['token']!, requestContext(req))
    if (!files) throw notFound({ key: 'dataUse.linkUsed' })
    res.attachment(`du-lieu-cua-toi-${new Date().toISOString().slice(0, 10)}.zip`).type('application/zip')
    const zip = new ZipArchive({ zlib: { level: 6 } })
    zip.on('warning', (err: Error) => req.log.warn({ err }, 'archive warning'))
    zip.on('error', (err: Error) => {
      req.log.error({ err }, 'archive failed')
      res.destroy(err)
    })
    zip.pipe(res)
    zip.append(`${res.locals.t('dataUse.archiveReadme')}\n`, { name: 'README.txt' })
    for (const file of files) {
      if (file.open) zip.append(file.open(), { name: file.name })
      else zip.append(`${JSON.stringify(file.json, null, 2)}\n`, { name: file.name })
    }
    await zip.finalize()
  })

  return router
}
