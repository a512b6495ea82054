import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import nodemailer from 'nodemailer'
import addressparser from 'nodemailer/lib/addressparser'
import type { Mailer } from './domain/identity/mailer.js'

/**
 * SMTP when a URL is configured (required in production); otherwise each message is
 * written as an .eml file under DATA_DIR/mail, where a developer can open it.
 */
export function createMailer(options: { smtpUrl: string | undefined, from: string, dataDir: string }): Mailer & { close(): void } {
  // Addresses go to nodemailer already parsed: it would otherwise tokenise both on every
  // message (a sixth of what the background thread allocated per status email, measured).
  const [parsed] = addressparser(options.from, { flatten: true })
  const from = parsed?.address ? { name: parsed.name, address: parsed.address } : options.from
  const to = (address: string) => ({ name: '', address })
  if (options.smtpUrl) {
    // Pooled: status emails come in bursts; connections to the server are reused.
    const url = new URL(options.smtpUrl)
    url.searchParams.set('pool', 'true')
    const transport = nodemailer.createTransport(url.href)
    return {
      async send(m) { await transport.sendMail({ from, to: to(m.to), subject: m.subject, text: m.text }) },
      close: () => transport.close(),
    }
  }
  const folder = path.join(options.dataDir, 'mail')
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  return {
    async send(m) {
      const info = await transport.sendMail({ from, to: to(m.to), subject: m.subject, text: m.text })
      await mkdir(folder, { recursive: true })
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${m.to.replace(/[^a-z0-9@.-]/gi, '_')}.eml`
      await writeFile(path.join(folder, name), info.message as Buffer)
    },
    close: () => transport.close(),
  }
}
