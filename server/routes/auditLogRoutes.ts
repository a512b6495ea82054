import { Router, type Request } from 'express'
import { ProofError, type TransparencyLog } from '../domain/audit/transparencyLog.js'
import { HttpError, invalidParams, notFound } from '../web/httpErrors.js'

// The audit log as anyone can check it, without signing in: the latest signed
// checkpoint, every earlier one, the keys that signed them, and proofs. What is served
// is hashes and signatures only; the entries stay with the auditors.

const base = '/api/v1/audit-log'

function sizeParam(req: Request, name: string, optional: boolean): number | undefined {
  const value = req.query[name]
  if (value === undefined && optional) return undefined
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n)) throw invalidParams([{ name, reason: { key: 'validation.integer' } }])
  return n
}

async function proved<T>(make: () => Promise<T>): Promise<T> {
  try {
    return await make()
  } catch (e) {
    if (e instanceof ProofError) throw new HttpError(422, 'problem.noSuchProof', { key: 'problem.noSuchProofDetail', params: { size: e.logSize } })
    throw e
  }
}

export function auditLogRoutes(log: TransparencyLog): Router {
  const router = Router()

  router.get('/audit-log', async (_req, res) => {
    res.locals['routeName'] = 'audit-log'
    res.render('pages/audit-log', { latest: await log.latest(), keys: log.verifierKeys(), origin: log.origin, base })
  })

  router.get(`${base}/checkpoint`, async (_req, res) => {
    res.locals['routeName'] = 'audit-log.checkpoint'
    const latest = await log.latest()
    if (!latest) throw notFound({ key: 'problem.noCheckpointYet' })
    res.set('Cache-Control', 'no-cache').type('text/plain; charset=utf-8').send(latest.note)
  })

  router.get(`${base}/checkpoints`, async (req, res) => {
    res.locals['routeName'] = 'audit-log.checkpoints'
    const after = sizeParam(req, 'after', true) ?? 0
    const checkpoints = await log.checkpoints(after, 100)
    res.json({
      origin: log.origin,
      checkpoints: checkpoints.map((c) => ({ size: c.size, rootHash: c.rootHash, at: c.at, keyId: c.keyId, note: c.note })),
      next: checkpoints.length === 100 ? `${base}/checkpoints?after=${checkpoints[99]!.size}` : null,
    })
  })

  router.get(`${base}/checkpoints/:size`, async (req, res) => {
    res.locals['routeName'] = 'audit-log.checkpoint-at'
    const size = /^\d{1,15}$/.test(req.params['size']!) ? Number(req.params['size']) : NaN
    const checkpoint = Number.isSafeInteger(size) ? await log.checkpoint(size) : undefined
    if (!checkpoint) throw notFound({ key: 'problem.noCheckpointYet' })
    res.type('text/plain; charset=utf-8').send(checkpoint.note)
  })

  router.get(`${base}/keys`, async (_req, res) => {
    res.locals['routeName'] = 'audit-log.keys'
    res.type('text/plain; charset=utf-8').send(`${log.verifierKeys().join('\n')}\n`)
  })

  router.get(`${base}/proof/inclusion`, async (req, res) => {
    res.locals['routeName'] = 'audit-log.inclusion'
    const index = sizeParam(req, 'index', false)!
    const size = sizeParam(req, 'size', true)
    res.json(await proved(() => log.inclusion(index, size)))
  })

  router.get(`${base}/proof/consistency`, async (req, res) => {
    res.locals['routeName'] = 'audit-log.consistency'
    const from = sizeParam(req, 'from', false)!
    const to = sizeParam(req, 'to', true)
    res.json(await proved(() => log.consistency(from, to)))
  })

  return router
}
