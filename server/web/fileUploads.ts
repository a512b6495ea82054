import { unlink } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import type { Request, RequestHandler, Response } from 'express'
import multer from 'multer'

/** A file question the page being posted has: how much it takes, and whether it applies to what was answered. */
export interface UploadField {
  id: string
  maxBytes: number
  maxFiles: number
  /** false when its condition does not hold for the answers posted so far (with those saved before) */
  applies(posted: Record<string, unknown>): boolean
}

export type UploadFailure = { field?: string | undefined, problem: 'fileSize' | 'fileCount' }

const uploadedFiles = (req: Request) => (req.files as Express.Multer.File[] | undefined) ?? []

/** Deletes what a request streamed to disk; for requests that end before their files are adopted. */
export const discardUploads = (req: Request) => Promise.all(uploadedFiles(req).map((f) => unlink(f.path).catch(() => {})))

/**
 * Streams a multipart body's files to disk, one temporary file each, never holding a
 * whole file in memory. Only the file questions `fieldsOf` names are read, each within
 * its own size; a file for any other question (not on this page, or whose condition
 * does not hold) is skipped unread and not stored. Runs after the route has checked
 * who is posting to what, so nobody else's body is read at all; the CSRF token, inside
 * the body, is checked once it is parsed, and a refused request's files are deleted.
 */
export function streamUploads(options: {
  dir: string
  fieldsOf: (req: Request, res: Response) => UploadField[]
  checkCsrf: RequestHandler
}): RequestHandler {
  const storage = multer.diskStorage({ destination: options.dir, filename: (_req, _file, cb) => cb(null, `${randomUUID()}.upload`) })
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return next()
    const fields = new Map(options.fieldsOf(req, res).map((f) => [f.id, f]))
    const largest = Math.max(0, ...[...fields.values()].map((f) => f.maxBytes))
    const upload = multer({
      storage,
      // Browsers send UTF-8 file names: "giấy chứng sinh.pdf" stays readable.
      defParamCharset: 'utf8',
      limits: { fileSize: largest, files: Math.min(10, [...fields.values()].reduce((n, f) => n + f.maxFiles, 0)), fields: 100, fieldSize: 100_000, parts: 120 },
      fileFilter: (r, file, cb) => {
        const field = fields.get(file.fieldname)
        cb(null, Boolean(field?.applies((r.body ?? {}) as Record<string, unknown>)))
      },
    }).any()
    upload(req, res, (err: unknown) => {
      if (err && !(err instanceof multer.MulterError)) return void discardUploads(req).then(() => next(err))
      if (err instanceof multer.MulterError) {
        const failure: UploadFailure = { field: err.field, problem: err.code === 'LIMIT_FILE_SIZE' ? 'fileSize' : 'fileCount' }
        res.locals['uploadFailure'] = failure
        req.body ??= {}
      }
      options.checkCsrf(req, res, (csrfError?: unknown) => {
        if (csrfError) return void discardUploads(req).then(() => next(csrfError))
        next()
      })
    })
  }
}

/** The files a request streamed to disk, as the domain takes them. */
export const uploadsOf = (req: Request) => uploadedFiles(req).map((f) => ({ fieldId: f.fieldname, filename: f.originalname, path: f.path, size: f.size }))
