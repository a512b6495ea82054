import SMTPConnection from 'nodemailer/lib/smtp-connection'
import { parseConnectionUrl } from 'nodemailer/lib/shared'

/** Where a message goes: the envelope's sender and its one recipient. */
export interface Envelope { from: string, to: string[] }

interface Job { envelope: Envelope, raw: string, resolve: () => void, reject: (err: unknown) => void }
interface Connection { smtp: SMTPConnection, sent: number, gone: boolean }

/**
 * A few SMTP connections kept open and shared, each sending one finished message at a
 * time through nodemailer's SMTPConnection (its documented low-level client: the SMTP
 * dialogue, PIPELINING, STARTTLS, authentication, timeouts).
 *
 * The portal's emails arrive composed (./mailer.ts), so what nodemailer's transport
 * does besides is of no use to them: for every message it builds a MIME tree again,
 * streams it through a pipeline of transforms and queues it in its pool, several times
 * the CPU of the connections alone (docs/performance.md, "Behind the comments").
 *
 * Like nodemailer's pool: at most `size` connections (5), opened when there is mail to
 * send and kept open for the next, each closed after `maxMessages` (100) and replaced.
 * A connection that fails, or on which the server refuses a message, is closed and the
 * message's promise rejects with nodemailer's error (its responseCode says whether the
 * refusal is final); the next message opens a fresh one.
 */
export function smtpConnections(smtpUrl: string, options: { size?: number, maxMessages?: number } = {}) {
  const { auth, ...settings } = parseConnectionUrl(smtpUrl)
  const connectionOptions = {
    ...settings, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000,
  } as ConstructorParameters<typeof SMTPConnection>[0]
  const credentials = auth?.user ? { user: auth.user, pass: auth.pass ?? '' } : undefined
  const size = options.size ?? 5
  const maxMessages = options.maxMessages ?? 100
  const queue: Job[] = []
  const idle: Connection[] = []
  let lanes = 0
  let closed = false

  function open(): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const smtp = new SMTPConnection(connectionOptions)
      const connection: Connection = { smtp, sent: 0, gone: false }
      let ready = false
      const lost = (err: Error) => {
        connection.gone = true
        if (!ready) reject(err)
      }
      smtp.on('error', lost)
      smtp.once('end', () => lost(new Error('SMTP connection closed before it was ready')))
      smtp.connect(() => {
        if (!credentials) {
          ready = true
          return resolve(connection)
        }
        smtp.login(credentials, (err) => {
          if (err) {
            retire(connection)
            return lost(err)
          }
          ready = true
          resolve(connection)
        })
      })
    })
  }

  function retire(connection: Connection) {
    const wasOpen = !connection.gone
    connection.gone = true
    if (wasOpen) connection.smtp.quit()
    else connection.smtp.close()
  }

  // The server may drop the connection in the middle of a message: the message fails then.
  function sendOn(connection: Connection, job: Job): Promise<void> {
    return new Promise((resolve, reject) => {
      const dropped = () => reject(new Error('SMTP connection closed while sending'))
      connection.smtp.once('end', dropped)
      connection.smtp.send(job.envelope, job.raw, (err) => {
        connection.smtp.off('end', dropped)
        if (err) reject(err)
        else resolve()
      })
    })
  }

  /** One connection's turn at the queue, until it is empty. */
  async function lane(): Promise<void> {
    let connection = idle.pop()
    try {
      for (let job = queue.shift(); job; job = queue.shift()) {
        try {
          while (connection?.gone) connection = idle.pop()
          if (connection && connection.sent >= maxMessages) {
            retire(connection)
            connection = undefined
          }
          connection ??= await open()
          await sendOn(connection, job)
          connection.sent++
          job.resolve()
        } catch (err) {
          job.reject(err)
          if (connection) retire(connection)
          connection = undefined
        }
      }
    } finally {
      lanes--
      if (connection && !connection.gone) {
        if (closed) retire(connection)
        else idle.push(connection)
      }
    }
  }

  return {
    send(envelope: Envelope, raw: string): Promise<void> {
      if (closed) return Promise.reject(new Error('the mailer is closed'))
      return new Promise((resolve, reject) => {
        queue.push({ envelope, raw, resolve, reject })
        if (lanes < size) {
          lanes++
          void lane()
        }
      })
    },
    /** Closes the idle connections; the ones sending close after their message. Queued messages are refused. */
    close() {
      closed = true
      for (const job of queue.splice(0)) job.reject(new Error('the mailer is closed'))
      for (const connection of idle.splice(0)) retire(connection)
    },
  }
}
