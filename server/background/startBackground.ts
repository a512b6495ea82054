import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type { RequestLogStore, RequestRow } from '../domain/audit/requestLog.js'
import type { Services, Wakers } from '../services.js'
import { startWorkerThread } from '../workerThread.js'

export type BackgroundMessage = 'dispatch' | 'mail' | 'stop' | { requestRows: RequestRow[] }

export interface Background {
  wake: Wakers
  /** writes request-log rows on the background's own connection (services.audit.requestLogStore) */
  requestRows: RequestLogStore
  /** Ends the queues after the batch each has in hand. */
  stop(): Promise<void>
}

/**
 * The background work: delivering applications to agencies (the outbox dispatcher) and
 * sending status emails (the mail queue). By default in a worker thread of its own
 * (./worker.ts), with its own database connection, woken by a message after each
 * commit, so the web thread's event loop serves requests only; BACKGROUND=inline runs
 * this process's own queues beside the web.
 */
export async function startBackground(config: Config, services: Services, logger: Logger): Promise<Background> {
  if (config.background === 'inline') return runQueues(services, logger)
  return startThread(logger)
}

const hour = 3_600_000

/**
 * Starts on this thread the dispatcher, the mail queue and the audit log's sequencer of
 * these services; and every hour, the notices of keys about to expire and the archiving
 * of old request-log rows.
 */
export function runQueues(services: Services, logger?: Logger): Background {
  const { dispatcher, mailQueue, keyExpiryNotices, sequencer, archiveRequestLog } = services.background
  dispatcher.start()
  mailQueue.start()
  sequencer?.start(250, (err) => logger?.error({ err }, 'audit log sequencing failed'))
  const notices = () => keyExpiryNotices().then(() => mailQueue.wake(), (err: unknown) => logger?.error({ err }, 'key expiry notices failed'))
  const archive = () => archiveRequestLog().then(
    ({ rows, files }) => { if (rows) logger?.info({ rows, files }, 'request log archived') },
    (err: unknown) => logger?.error({ err }, 'request log archiving failed'),
  )
  const hourlyWork = () => Promise.all([notices(), archive()])
  const first = setTimeout(hourlyWork, 10_000)
  const hourly = setInterval(hourlyWork, hour)
  first.unref()
  hourly.unref()
  return {
    wake: { dispatch: () => dispatcher.wake(), mail: () => mailQueue.wake() },
    requestRows: services.audit.requestLogStore,
    async stop() {
      clearTimeout(first)
      clearInterval(hourly)
      await Promise.all([dispatcher.stop(), mailQueue.stop(), sequencer?.stop()])
    },
  }
}

async function startThread(logger: Logger): Promise<Background> {
  const worker = await startWorkerThread(new URL('./worker', import.meta.url))
  let stopping = false
  worker.on('error', (err) => logger.fatal({ err }, 'background thread failed'))
  // A background thread that dies takes deliveries and emails with it: the process
  // exits so that it is restarted; everything owed is in the database.
  worker.on('exit', (code) => {
    if (!stopping) {
      logger.fatal({ code }, 'background thread exited')
      process.exit(1)
    }
  })
  const post = (message: BackgroundMessage) => () => worker.postMessage(message)
  return {
    wake: { dispatch: post('dispatch'), mail: post('mail') },
    // Handed over, not yet written: the thread writes them in order, and all of them before it stops.
    requestRows: { insert: async (rows) => { worker.postMessage({ requestRows: rows } satisfies BackgroundMessage) } },
    async stop() {
      stopping = true
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.postMessage('stop')
      await exited
    },
  }
}
