// The shared SMTP connections status emails go out through (server/smtpConnections.ts),
// against real SMTP servers (smtp-server) on loopback.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import { smtpConnections } from '../../server/mail/smtpConnections.js'

const envelope = (to: string) => ({ from: 'portal@test.vn', to: [to] })
const message = (n: number) => `From: portal@test.vn\r\nTo: c${n}@example.vn\r\nSubject: ${n}\r\n\r\nmessage ${n}\r\n`

/** A server that counts connections and keeps what it received, by message. */
async function server(options: Partial<SMTPServerOptions> = {}) {
  const received: string[] = []
  let connections = 0
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true, logger: false, closeTimeout: 200,
    onConnect(_session, callback) {
      connections++
      callback()
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'))
        callback()
      })
    },
    ...options,
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()))
  return {
    smtp, received, url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    get connections() { return connections },
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  }
}

describe('SMTP connections for status emails', () => {
  it('sends every message once, over at most five connections kept open between bursts', async () => {
    const s = await server()
    const mail = smtpConnections(s.url)
    try {
      await Promise.all(Array.from({ length: 40 }, (_, i) => mail.send(envelope(`c${i}@example.vn`), message(i))))
      assert.equal(s.received.length, 40)
      assert.deepEqual(new Set(s.received.map((r) => /Subject: (\d+)/.exec(r)![1])).size, 40, 'each message once')
      assert.ok(s.connections <= 5, `${s.connections} connections`)
      const opened = s.connections
      await Promise.all(Array.from({ length: 10 }, (_, i) => mail.send(envelope(`d${i}@example.vn`), message(100 + i))))
      assert.equal(s.received.length, 50)
      assert.equal(s.connections, opened, 'the second burst reused the open connections')
    } finally {
      mail.close()
      await s.close()
    }
  })

  it('replaces a connection after its maximum of messages', async () => {
    const s = await server()
    const mail = smtpConnections(s.url, { size: 1, maxMessages: 3 })
    try {
      for (let i = 0; i < 7; i++) await mail.send(envelope(`c${i}@example.vn`), message(i))
      assert.equal(s.received.length, 7)
      assert.equal(s.connections, 3, 'three messages per connection: 3 + 3 + 1')
    } finally {
      mail.close()
      await s.close()
    }
  })

  it('a refusal rejects with its SMTP code; the next message goes out on a fresh connection', async () => {
    const s = await server({
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('refused')) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }))
        callback()
      },
    })
    const mail = smtpConnections(s.url, { size: 1 })
    try {
      await assert.rejects(mail.send(envelope('refused@example.vn'), message(1)), (err: { responseCode?: number }) => err.responseCode === 550)
      await mail.send(envelope('ok@example.vn'), message(2))
      assert.equal(s.received.length, 1)
      assert.match(s.received[0]!, /message 2/)
    } finally {
      mail.close()
      await s.close()
    }
  })

  it('a connection the server dropped while idle is not used again', async () => {
    const s = await server()
    const mail = smtpConnections(s.url, { size: 1 })
    try {
      await mail.send(envelope('a@example.vn'), message(1))
      for (const connection of (s.smtp as unknown as { connections: Set<{ close(): void }> }).connections) connection.close()
      await new Promise((r) => setTimeout(r, 100))
      await mail.send(envelope('b@example.vn'), message(2))
      assert.equal(s.received.length, 2)
      assert.equal(s.connections, 2)
    } finally {
      mail.close()
      await s.close()
    }
  })

  it('signs in with the credentials in the URL', async () => {
    const logins: string[] = []
    const s = await server({
      disabledCommands: ['STARTTLS'], authOptional: false, allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username}:${auth.password}`)
        if (auth.password !== 'mật khẩu') return callback(new Error('bad credentials'))
        callback(null, { user: auth.username })
      },
    })
    const withUser = (pass: string) => s.url.replace('smtp://', `smtp://${encodeURIComponent('gửi@test.vn')}:${encodeURIComponent(pass)}@`)
    const mail = smtpConnections(withUser('mật khẩu'))
    const wrong = smtpConnections(withUser('wrong'), { size: 1 })
    try {
      await mail.send(envelope('a@example.vn'), message(1))
      assert.equal(s.received.length, 1)
      await assert.rejects(wrong.send(envelope('b@example.vn'), message(2)))
      assert.equal(s.received.length, 1)
      assert.deepEqual(logins, ['gửi@test.vn:mật khẩu', 'gửi@test.vn:wrong'])
    } finally {
      mail.close()
      wrong.close()
      await s.close()
    }
  })

  it('the server down: the message rejects; queued messages are refused once closed', async () => {
    const s = await server()
    const url = s.url
    await s.close()
    const mail = smtpConnections(url, { size: 1 })
    await assert.rejects(mail.send(envelope('a@example.vn'), message(1)), /ECONNREFUSED|connect/i)
    mail.close()
    await assert.rejects(mail.send(envelope('b@example.vn'), message(2)), /closed/)
  })
})
