import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import nodemailer from 'nodemailer'
import addressparser from 'nodemailer/lib/addressparser'
import { foldLines } from 'nodemailer/lib/mime-funcs'
import MimeNode from 'nodemailer/lib/mime-node'
import { encode as quotedPrintable, wrap } from 'nodemailer/lib/qp'
import type { MailMessage, Mailer } from '../domain/identity/mailer.js'
import { smtpConnections } from './smtpConnections.js'

/** An address nodemailer's envelope takes as it is: ASCII, no spaces, no controls, one @. */
const plainAddress = /^[\x21-\x7e]+@[\x21-\x7e]+$/

/**
 * The portal's emails are all one shape: a text/plain part in UTF-8, to one address. They
 * are put together here, line by line, with nodemailer's own encoders (each header as its
 * MimeNode encodes it, RFC 2047 words folded at 76; the body quoted-printable) and handed
 * to the transport finished. nodemailer's general builder (a tree of MIME nodes streamed
 * through transforms, written to the socket in pieces) took about as much CPU as the whole
 * SMTP exchange; composing here costs a fraction of it (docs/performance.md, "Behind the
 * comments").
 */
export function textComposer(from: string) {
  const [parsed] = addressparser(from, { flatten: true })
  if (!parsed?.address) throw new Error(`MAIL_FROM is not an address: ${from}`)
  const headers = new MimeNode('text/plain')
  const fromHeader = foldLines(`From: ${headers.encodeHeaderValue('From', { name: parsed.name, address: parsed.address })}`, 76)
  const domain = parsed.address.split('@').pop()!
  return {
    envelopeFrom: parsed.address,
    /** The message as sent, CRLF line ends; undefined for an address that needs nodemailer's full treatment (IDN, SMTPUTF8). */
    compose(message: MailMessage, date = new Date()): { raw: string, messageId: string } | undefined {
      if (!plainAddress.test(message.to)) return undefined
      const body = message.text.replace(/\r?\n/g, '\r\n')
      const messageId = `<${randomUUID()}@${domain}>`
      const raw = [
        fromHeader,
        `To: ${message.to}`,
        foldLines(`Subject: ${headers.encodeHeaderValue('Subject', message.subject)}`, 76),
        `Message-ID: ${messageId}`,
        `Date: ${date.toUTCString().replace(/GMT/, '+0000')}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        wrap(quotedPrintable(body), 76),
      ].join('\r\n')
      return { raw, messageId }
    },
  }
}

/** Pooled: status emails come in bursts; connections to the server are reused. */
function pooled(smtpUrl: string): string {
  const url = new URL(smtpUrl)
  url.searchParams.set('pool', 'true')
  return url.href
}

/**
 * SMTP when a URL is configured (required in production); otherwise each message is
 * written as an .eml file under DATA_DIR/mail, where a developer can open it.
 */
export function createMailer(options: { smtpUrl: string | undefined, from: string, dataDir: string }): Mailer & { close(): void } {
  const composer = textComposer(options.from)
  // An address that needs nodemailer's full treatment (IDN, SMTPUTF8) goes through its own builder.
  const built = (m: MailMessage) => ({ from: options.from, to: m.to, subject: m.subject, text: m.text })
  if (options.smtpUrl) {
    const smtpUrl = options.smtpUrl
    // Composed messages go out through a few shared connections (server/smtpConnections.ts).
    const connections = smtpConnections(smtpUrl)
    let transport: ReturnType<typeof nodemailer.createTransport> | undefined
    return {
      async send(m) {
        const composed = composer.compose(m)
        if (composed) return connections.send({ from: composer.envelopeFrom, to: [m.to] }, composed.raw)
        transport ??= nodemailer.createTransport(pooled(smtpUrl))
        await transport.sendMail(built(m))
      },
      close() {
        connections.close()
        transport?.close()
      },
    }
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  const mailOf = (m: MailMessage) => {
    const composed = composer.compose(m)
    // The Message-ID given again, so nodemailer does not draw one of its own for a message it does not build.
    return composed === undefined
      ? built(m)
      : { envelope: { from: composer.envelopeFrom, to: [m.to] }, raw: composed.raw, messageId: composed.messageId }
  }
  const folder = path.join(options.dataDir, 'mail')
  return {
    async send(m) {
      const info = await transport.sendMail(mailOf(m))
      await mkdir(folder, { recursive: true })
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${m.to.replace(/[^a-z0-9@.-]/gi, '_')}.eml`
      await writeFile(path.join(folder, name), info.message as Buffer)
    },
    close: () => transport.close(),
  }
}
