// The background thread (./startBackground.ts): started by server/index.ts, woken by
// its messages after each commit, stopped by "stop". Its own database connection and
// logger; everything it does is in the database, so nothing is lost if it dies.
import { parentPort } from 'node:worker_threads'
import { pino } from 'pino'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { createLogger } from '../logger.js'
import { createMailer } from '../mail/mailer.js'
import { createServices } from '../services.js'
import { loadAgencies, loadAuditKey } from '../start.js'
import { runQueues, type BackgroundMessage } from './startBackground.js'
import { lowerThisThreadPriority } from './threadPriority.js'

const port = parentPort
if (!port) throw new Error('server/background/worker.ts runs as a worker thread of server/index.ts')
const config = loadConfig()
// Synchronous writes: each line is one write(2) of its own, so lines from the two
// threads never interleave on a shared stdout pipe.
const logger = createLogger(config.logLevel, pino.destination({ dest: 1, sync: true })).child({ thread: 'background' })
// On SQLite this connection does not wait for the disk at each commit (synchronous=NORMAL;
// the web thread's connection flushes the log before it acknowledges a commit). Its commits
// become durable with the web thread's next flush of the write-ahead log they share. What power loss
// could take in between is derivable again: a lease expires; a delivery not yet marked
// done is delivered again with the same webhook-id, which agencies de-duplicate on,
// bringing its status change and email back with it; an email not yet marked sent is
// sent again. A commit that holds the write lock no longer holds it through a disk
// flush, so the web thread, which submits, rarely waits for it.
const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, synchronous: 'normal' })
const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir })
// The web thread first: when both want the CPU (a rush of submissions), the citizen's
// request is answered before an agency is delivered to or an email sent; what the
// background owes waits in its tables and is worked off as soon as the rush eases.
// Alone on a core it runs at full speed (nice only shares out a contended CPU).
const tid = lowerThisThreadPriority(config.backgroundNice)
if (tid === undefined && config.backgroundNice > 0) logger.warn('BACKGROUND_NICE not applied: a thread\'s own priority needs Linux; the background runs at the web thread\'s')
const { handlers } = await loadAgencies()
// Deliveries and emails end one by one, as agencies and the mail server answer: each
// waits up to 5 ms for others to share its transaction (server/db/commitBatcher.ts).
const services = createServices(config, { database, mailer, logger, handlers, auditKey: loadAuditKey(config), commitLingerMs: 5 })
const background = runQueues(services, logger)
// Checkpoints here, off the web thread's commits (server/db/sqlite/openSqlite.ts).
const checkpoints = setInterval(() => {
  database.checkpoint().catch((err: unknown) => logger.warn({ err }, 'checkpoint not made'))
}, 1000)
// The web thread's request-log rows, written in the order they come.
let rowsWritten = Promise.resolve()

port.on('message', (message: BackgroundMessage) => {
  if (typeof message === 'object') {
    rowsWritten = rowsWritten.then(() => services.audit.requestLogStore.insert(message.requestRows))
      .catch((err: unknown) => logger.error({ err, rows: message.requestRows.length }, 'request log rows not written'))
  } else if (message === 'dispatch') background.wake.dispatch()
  else if (message === 'mail') background.wake.mail()
  else if (message === 'stop') {
    void (async () => {
      await background.stop()
      clearInterval(checkpoints)
      await rowsWritten
      mailer.close()
      await database.close()
      port.close()
    })()
  }
})
port.postMessage('ready')
