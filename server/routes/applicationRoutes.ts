import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express'
import type { Store } from 'express-rate-limit'
import type { Application } from '../domain/applications/model.js'
import type { CatalogueService } from '../domain/catalogue/catalogueService.js'
import { finalStatuses, IllegalTransition, Incomplete, responseDocumentLimits, type ApplicationService, type UploadProblem } from '../domain/applications/applicationService.js'
import { streamUploads, uploadsOf, type UploadFailure } from '../web/fileUploads.js'
import { conditionHolds, keptAnswers, visiblePages, type Answers, type FieldError } from '../domain/forms/formEngine.js'
import type { FormDefinition, PageDefinition } from '../domain/forms/formSchema.js'
import type { BusinessService } from '../domain/identity/businessService.js'
import type { Results } from '../domain/results/resultService.js'
import { resultOf, sendPdf } from '../web/resultDownload.js'
import { HttpError } from '../web/httpErrors.js'
import { limiter } from '../web/rateLimit.js'
import { allow } from '../web/setUpAuth.js'
import { assuranceOf, requestContext } from '../web/requestContext.js'
import { parseReference } from '../domain/applications/reference.js'
import { parseStatusSecret } from '../domain/applications/statusSecret.js'
import type { Statistics } from '../domain/statistics/statisticsService.js'

/** Paths whose POST carries files; the CSRF token is checked after the upload is parsed. */
export const uploadPaths = /^\/applications\/[^/]+\/(pages\/[^/]+|respond)$/

const notFound = () => new HttpError(404, 'error.notFound.title')

type FormErrors = Record<string, FieldError | UploadProblem>

export interface ApplicationRouteDeps {
  applications: ApplicationService
  catalogue: CatalogueService
  businesses: BusinessService
  results: Results
  /** asks the applicant how satisfied they are, once, after a decision */
  statistics: Statistics
  checkCsrfAfterUpload: RequestHandler
  rateLimitStore: (prefix: string) => Store
}

export function applicationRoutes(deps: ApplicationRouteDeps): Router {
  const { applications, catalogue, businesses, results, statistics } = deps
  const router = Router()
  const citizen = allow('citizen')
  router.use(['/applications', '/status'], (_req, res, next) => {
    res.set('Cache-Control', 'no-store')
    next()
  })

  async function own(req: Request): Promise<Application> {
    const app = await applications.ofApplicant(req.user!.id, String(req.params['ref']))
    if (!app) throw notFound()
    return app
  }

  async function draftWithForm(req: Request) {
    const app = await own(req)
    const { service, form } = await applications.serviceWithForm(app.serviceId, app.serviceVersion)
    return { app, service, form }
  }

  type PageView = {
    app: Application, service: unknown, form: FormDefinition, page: PageDefinition, answers: Answers, errors: FormErrors, documents: unknown[], change: boolean
  }
  function renderPage(res: Response, view: PageView, status = 200) {
    // A question that depends on an answer on the same page is always on the page, with
    // its condition said in words (and, with JavaScript, hidden until it applies).
    const onPage = new Set(view.page.fields.map((f) => f.id))
    const fields = view.page.fields.filter((f) => conditionHolds(f.when, view.answers) || (f.when && onPage.has(f.when.field)))
    const pages = visiblePages(view.form, view.answers)
    res.status(status).render('pages/apply/page', {
      ...view, fields, fromProfile: applications.profileFor(view.form, res.locals['user'].account), pageNumber: pages.findIndex((p) => p.id === view.page.id) + 1, pageCount: pages.length,
      multipart: view.page.fields.some((f) => f.type === 'file'),
    })
  }

  // The start page: what the service needs, then a button that opens (or resumes) a draft.
  router.get('/services/:id/apply', async (req, res) => {
    res.locals['routeName'] = 'apply'
    const service = await catalogue.service(String(req.params['id']))
    if (!service || service.status !== 'active') throw notFound()
    if (!service.form) return res.render('pages/catalogue/applyNotYet', { service })
    res.set('Cache-Control', 'no-store')
    res.render('pages/apply/start', { service, form: service.form })
  })

  router.post('/services/:id/apply', citizen, async (req, res) => {
    const service = await catalogue.service(String(req.params['id']))
    if (!service?.form || service.status !== 'active') throw notFound()
    // Loaded for this request when the session was read: as fresh as a second read.
    const user = req.user!.account
    const actingFor = req.session.actingFor ? await businesses.actingFor(user, req.session.actingFor) : undefined
    if (actingFor && !service.applicants.includes('business')) throw new HttpError(409, 'apply.error.notForBusiness')
    const { application } = await applications.start(user, service.id, actingFor, requestContext(req))
    const page = application.currentPage ?? service.form.pages[0]!.id
    res.redirect(303, page === 'check' ? `/applications/${application.reference}/check` : `/applications/${application.reference}/pages/${page}`)
  })

  router.get('/applications/:ref/pages/:page', citizen, async (req, res) => {
    const { app, service, form } = await draftWithForm(req)
    if (app.status !== 'draft') return res.redirect(303, `/applications/${app.reference}`)
    const answers = app.answers
    const page = visiblePages(form, answers).find((p) => p.id === req.params['page'])
    if (!page) throw notFound()
    renderPage(res, { app, service, form, page, answers, errors: {}, documents: await applications.documents(app), change: req.query['change'] === '1' })
  })

  // Who posts to which draft and page is settled before a byte of the body is read.
  const pageTarget: RequestHandler = async (req, res, next) => {
    try {
      const { app, service, form } = await draftWithForm(req)
      if (app.status !== 'draft') return res.redirect(303, `/applications/${app.reference}`)
      const answersBefore = app.answers
      const page = form.pages.find((p) => p.id === req.params['page'] && conditionHolds(p.when, answersBefore))
      if (!page) throw notFound()
      res.locals['target'] = { app, service, form, page, answersBefore }
      next()
    } catch (err) {
      next(err)
    }
  }
  const pageFiles = streamUploads({
    dir: applications.uploadsDir, checkCsrf: deps.checkCsrfAfterUpload,
    fieldsOf: (_req, res) => {
      const { page, answersBefore } = res.locals['target'] as { page: PageDefinition, answersBefore: Answers }
      return page.fields.flatMap((f) => (f.type === 'file' ? [{
        id: f.id, maxBytes: f.maxSizeMb * 1024 * 1024, maxFiles: f.maxFiles,
        applies: (posted: Record<string, unknown>) => conditionHolds(f.when, { ...answersBefore, ...posted as Answers }),
      }] : []))
    },
  })

  router.post('/applications/:ref/pages/:page', citizen, pageTarget, pageFiles, async (req, res) => {
    const { app, service, form, page, answersBefore } = res.locals['target'] as { app: Application, service: unknown, form: FormDefinition, page: PageDefinition, answersBefore: Answers }
    const body = (req.body ?? {}) as Record<string, unknown>
    const change = body['change'] === '1'
    const uploadProblems = await applications.addUploads(app, form, uploadsOf(req), req.user!.id)
    const failure = res.locals['uploadFailure'] as UploadFailure | undefined
    if (failure?.field) {
      const field = page.fields.find((f) => f.id === failure.field)
      uploadProblems[failure.field] = { problem: failure.problem, params: { max: field?.type === 'file' ? (failure.problem === 'fileSize' ? field.maxSizeMb : field.maxFiles) : 10 } }
    }
    // "Remove" buttons on a file field post the document id.
    if (typeof body['removeDocument'] === 'string') {
      await applications.removeDocument(app, body['removeDocument'])
      return res.redirect(303, `/applications/${app.reference}/pages/${page.id}${change ? '?change=1' : ''}`)
    }
    const result = await applications.savePage(app, form, page, body)
    const errors: FormErrors = { ...result.errors, ...uploadProblems }
    if (Object.keys(errors).length) {
      const documents = await applications.documents(app)
      return renderPage(res, { app, service, form, page, answers: result.answers ?? answersBefore, errors, documents, change }, 422)
    }
    // "Upload and add another" stays on the page.
    if (body['addAnother'] === '1') return res.redirect(303, `/applications/${app.reference}/pages/${page.id}`)
    const next = change ? undefined : result.next
    res.redirect(303, next ? `/applications/${app.reference}/pages/${next.id}` : `/applications/${app.reference}/check`)
  })

  router.get('/applications/:ref/check', citizen, async (req, res) => {
    const { app, service, form } = await draftWithForm(req)
    if (app.status !== 'draft') return res.redirect(303, `/applications/${app.reference}`)
    const answers = keptAnswers(form, app.answers)
    res.render('pages/apply/check', { app, service, form, answers, pages: visiblePages(form, answers), documents: await applications.documents(app), incomplete: undefined })
  })

  router.post('/applications/:ref/submit', citizen, async (req, res) => {
    const { app, service, form } = await draftWithForm(req)
    // Loaded for this request when the session was read: as fresh as a second read.
    const user = req.user!.account
    try {
      const { application, statusCode } = await applications.submit(app, user, { assuranceLevel: assuranceOf(req) }, requestContext(req))
      // The second code is shown once, on the confirmation page; the session keeps a few at most.
      if (statusCode) {
        req.session.statusCodes = Object.fromEntries([...Object.entries(req.session.statusCodes ?? {}).slice(-4), [application.reference, statusCode]])
      }
      res.redirect(303, `/applications/${application.reference}/confirmation`)
    } catch (e) {
      if (!(e instanceof Incomplete)) throw e
      const answers = keptAnswers(form, app.answers)
      res.status(422).render('pages/apply/check', { app, service, form, answers, pages: visiblePages(form, answers), documents: await applications.documents(app), incomplete: e.page })
    }
  })

  router.get('/applications/:ref/confirmation', citizen, async (req, res) => {
    const app = await own(req)
    if (app.status === 'draft') return res.redirect(303, `/applications/${app.reference}/check`)
    const service = await catalogue.service(app.serviceId)
    const statusCode = req.session.statusCodes?.[app.reference]
    if (statusCode) delete req.session.statusCodes![app.reference]
    res.render('pages/apply/confirmation', { app, service, statusCode })
  })

  router.get('/applications', citizen, async (req, res) => {
    const [list, inbox] = await Promise.all([applications.list(req.user!.id), applications.inbox(req.user!.id)])
    res.render('pages/apply/list', { list, inbox, deleted: req.query['deleted'] === '1' })
    await applications.markInboxRead(req.user!.id)
  })

  /** An application's page; `extra` carries a form's errors and what was typed, with its status. */
  async function showApplication(res: Response, app: Application, extra: Record<string, unknown> = {}, status = 200) {
    const { service, form } = await applications.serviceWithForm(app.serviceId, app.serviceVersion)
    res.status(status).render('pages/apply/application', {
      app, service, form, answers: app.answers, pages: visiblePages(form, app.answers),
      events: await applications.events(app), documents: await applications.documents(app),
      final: finalStatuses.includes(app.status), errors: {}, withdrawn: false,
      deadline: applications.deadline(app), result: await results.forApplication(app), asks: await statistics.asks(app), rated: null,
      ...extra,
    })
  }

  router.get('/applications/:ref', citizen, async (req, res) => {
    const app = await own(req)
    if (app.status === 'draft') return res.redirect(303, `/applications/${app.reference}/pages/${app.currentPage ?? ''}`.replace(/\/pages\/check$/, '/check'))
    const rated = req.query['rated']
    await showApplication(res, app, {
      withdrawn: req.query['withdrawn'] === '1' && app.status === 'withdrawn', rated: rated === 'thanks' || rated === 'declined' ? rated : null,
    })
  })

  // How satisfied the applicant is, after a decision: once, nothing required. Sending the
  // form empty, or "no, thank you", is an answer too, so they are not asked again.
  router.post('/applications/:ref/satisfaction', citizen, async (req, res) => {
    const app = await own(req)
    const body = (req.body ?? {}) as Record<string, unknown>
    const declined = body['decline'] !== undefined
    const scoreText = declined ? '' : String(body['score'] ?? '').trim()
    const comment = declined ? '' : String(body['comment'] ?? '').trim()
    const errors: Record<string, string> = {}
    if (scoreText && !/^[1-5]$/.test(scoreText)) errors['score'] = 'satisfaction.error.score'
    if (comment.length > 1000) errors['comment'] = 'satisfaction.error.comment'
    if (Object.keys(errors).length) {
      return showApplication(res, app, { satisfactionErrors: errors, typedScore: scoreText, typedComment: comment }, 422)
    }
    const score = scoreText ? Number(scoreText) : null
    const outcome = await statistics.rate(app, { score, comment: comment || null })
    if (outcome === 'notDecided') throw new HttpError(409, 'application.error.notDecided')
    res.redirect(303, `/applications/${app.reference}?rated=${score === null && !comment ? 'declined' : 'thanks'}#satisfaction`)
  })

  // The applicant's result document: their own application only (anyone else's is 404).
  router.get('/applications/:ref/result.pdf', citizen, async (req, res, next) => {
    const app = await own(req)
    const result = await resultOf({ results, applications }, app, req)
    sendPdf(res, result, results.document(result), next)
  })

  router.get('/applications/:ref/result/agency.pdf', citizen, async (req, res, next) => {
    const result = await resultOf({ results, applications }, await own(req), req)
    const body = results.agencyDocument(result)
    if (!body) throw notFound()
    sendPdf(res, result, body, next, 'van-ban-co-quan')
  })

  router.get('/applications/:ref/documents/:doc', citizen, async (req, res, next: NextFunction) => {
    const app = await own(req)
    const doc = await applications.document(app, String(req.params['doc']))
    if (!doc) throw notFound()
    res.set({
      'Content-Type': doc.contentType,
      'Content-Length': String(doc.size),
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(doc.filename)}`,
      'X-Content-Type-Options': 'nosniff',
    })
    applications.openDocument(doc).on('error', next).pipe(res)
  })

  // Withdrawing is asked twice: a page says what it means and takes an optional reason,
  // which the agency reads in the timeline.
  router.get('/applications/:ref/withdraw', citizen, async (req, res) => {
    const app = await own(req)
    if (app.status === 'draft' || finalStatuses.includes(app.status)) return res.redirect(303, `/applications/${app.reference}`)
    res.render('pages/apply/withdraw', { app, service: await catalogue.service(app.serviceId) })
  })

  router.post('/applications/:ref/withdraw', citizen, async (req, res) => {
    const app = await own(req)
    const reason = String((req.body as Record<string, unknown> | undefined)?.['reason'] ?? '').trim().slice(0, 1000) || null
    try {
      await applications.transition(app, 'withdrawn', { id: req.user!.id, kind: 'citizen' }, { message: reason, ctx: requestContext(req) })
    } catch (e) {
      if (e instanceof IllegalTransition) throw new HttpError(409, 'application.error.cannotWithdraw')
      throw e
    }
    res.redirect(303, `/applications/${app.reference}?withdrawn=1`)
  })

  // A draft the person no longer wants is deleted with its documents, after a confirmation page.
  router.get('/applications/:ref/delete', citizen, async (req, res) => {
    const app = await own(req)
    if (app.status !== 'draft') return res.redirect(303, `/applications/${app.reference}`)
    res.render('pages/apply/deleteDraft', { app, service: await catalogue.service(app.serviceId) })
  })

  router.post('/applications/:ref/delete', citizen, async (req, res) => {
    const app = await own(req)
    if (!(await applications.deleteDraft(app, requestContext(req)))) throw new HttpError(409, 'application.error.notDraft')
    res.redirect(303, '/applications?deleted=1')
  })

  const replyTarget: RequestHandler = async (req, res, next) => {
    try {
      const app = await own(req)
      if (app.status !== 'info_requested') throw new HttpError(409, 'application.error.notAwaitingInfo')
      res.locals['target'] = app
      next()
    } catch (err) {
      next(err)
    }
  }
  const replyFiles = streamUploads({
    dir: applications.uploadsDir, checkCsrf: deps.checkCsrfAfterUpload,
    fieldsOf: () => [{ id: 'files', ...responseDocumentLimits, applies: () => true }],
  })

  router.post('/applications/:ref/respond', citizen, replyTarget, replyFiles, async (req, res) => {
    const app = res.locals['target'] as Application
    const text = String((req.body as Record<string, unknown> | undefined)?.['response'] ?? '').trim().slice(0, 2000)
    const failure = res.locals['uploadFailure'] as UploadFailure | undefined
    const problems = failure ? { problem: failure.problem, params: { max: failure.problem === 'fileSize' ? 5 : 5 } } as UploadProblem
      : await applications.addResponseDocuments(app, uploadsOf(req), req.user!.id)
    if (!text || problems) return showApplication(res, app, { errors: { response: problems ?? { problem: 'required' } }, typed: text }, 422)
    await applications.transition(app, 'in_review', { id: req.user!.id, kind: 'citizen' }, { message: text, ctx: requestContext(req) })
    res.redirect(303, `/applications/${app.reference}`)
  })

  // A visitor checks an application's status with its reference and the applicant's
  // birthdate (or the second code given at submission). Rate limited by the caller.
  router.get('/status', (req, res) => res.render('pages/apply/status', { values: {}, errors: {}, found: undefined, events: [] }))

  // A reference has 35 random bits and needs the birthdate besides; the limit makes guessing pointless.
  // Per address, and per reference whatever the address: guessing one application's
  // birthdate from many addresses is stopped too.
  const statusByIp = limiter(deps.rateLimitStore('status-ip:'), { windowMinutes: 15, limit: 20 })
  const statusByReference = limiter(deps.rateLimitStore('status-reference:'), {
    windowMinutes: 60, limit: 10,
    key: (req) => parseReference(String((req.body as Record<string, unknown> | undefined)?.['reference'] ?? '')) ?? 'unreadable',
  })
  router.post('/status', statusByIp, statusByReference, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>
    const values = { reference: String(body['reference'] ?? '').slice(0, 40), secret: String(body['secret'] ?? '').slice(0, 40) }
    const errors: Record<string, string> = {}
    const secret = parseStatusSecret(values.secret)
    if (!values.reference.trim()) errors['reference'] = 'status.error.reference'
    if (!values.secret.trim()) errors['secret'] = 'status.error.secret'
    else if (secret.kind === 'badDate') errors['secret'] = 'status.error.dateFormat'
    if (Object.keys(errors).length || secret.kind === 'badDate') return res.status(422).render('pages/apply/status', { values, errors, found: undefined, events: [] })
    const app = await applications.checkStatus(values.reference, secret)
    if (!app) return res.status(404).render('pages/apply/status', { values, errors: {}, found: false, events: [] })
    const service = await catalogue.service(app.serviceId)
    const events = (await applications.events(app)).map((e) => ({ at: e.at, to: e.toStatus }))
    res.render('pages/apply/status', { values, errors: {}, found: { app, service }, events })
  })

  return router
}
