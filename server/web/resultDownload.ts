import type { NextFunction, Request, Response } from 'express'
import type { Readable } from 'node:stream'
import type { ApplicationService } from '../domain/applications/applicationService.js'
import type { Application } from '../domain/applications/model.js'
import type { ResultRecord } from '../domain/results/model.js'
import type { Results } from '../domain/results/resultService.js'
import { HttpError } from './httpErrors.js'
import { requestContext } from './requestContext.js'

/**
 * An approved application's result: the one issued, or issued now when the approval
 * came from an agency's system or handler, or its issuing failed at the time (the
 * approving actor from the timeline is named as the issuer). 404 for any other status.
 */
export async function resultOf(deps: { results: Results, applications: ApplicationService }, app: Application, req: Request): Promise<ResultRecord> {
  const existing = await deps.results.forApplication(app)
  if (existing) return existing
  if (app.status !== 'approved') throw new HttpError(404, 'error.notFound.title')
  const approval = [...await deps.applications.events(app)].reverse().find((e) => e.toStatus === 'approved')
  return deps.results.issue(app, { id: approval?.actorId ?? 'system', name: null }, requestContext(req))
}

export function sendPdf(res: Response, result: ResultRecord, body: Readable, next: NextFunction, name = 'ket-qua'): void {
  res.set({
    'Content-Type': 'application/pdf', 'Cache-Control': 'no-store',
    'Content-Disposition': `attachment; filename="${name}-${result.reference}.pdf"`,
  })
  body.on('error', next).pipe(res)
}
