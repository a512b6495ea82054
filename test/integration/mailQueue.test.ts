// Status emails go through a durable queue: written with the status change, sent by the
// mail queue to a real SMTP server on loopback, retried while that server is down,
// never sent twice, given up on a permanent refusal.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createMailer } from '../../server/mail/mailer.js'
import { citizen, reread, submitted } from '../support/submissions.js'
import { freePort, startSmtpServer } from '../support/smtpServer.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

describe('status emails through the mail queue, to a real SMTP server', () => {
  let portal: TestPortal
  let port: number
  let smtp: Awaited<ReturnType<typeof startSmtpServer>> | undefined
  const dataDir = mkdtempSync(path.join(tmpdir(), 'portal-smtp-'))
  let mailer: ReturnType<typeof createMailer>
  const db = () => portal.database.handle.db
  const mailsOf = (applicationId: string) => db().selectFrom('mail_outbox').selectAll().where('application_id', '=', applicationId).orderBy('created_at').execute()

  before(async () => {
    port = await freePort()
    mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Cổng Dịch vụ công <portal@test.vn>', dataDir })
    portal = await createTestPortal({ mailer, mailQueue: { baseDelayMs: 60_000, maxAttempts: 3 } })
  })
  after(async () => {
    mailer.close()
    await smtp?.close()
    await portal.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('the mail server down: the email waits in the queue with its error; once it is up, sent exactly once', async () => {
    const user = await citizen(portal, 'queued@example.vn')
    const app = await submitted(portal, user)
    await portal.dispatcher.drain() // submitted → received: one status change, one email
    await portal.mailQueue.idle()
    let [mail] = await mailsOf(app.id)
    assert.ok(mail, 'the email was queued with the change')
    assert.equal(mail.to_address, 'queued@example.vn')
    assert.match(mail.subject, new RegExp(app.reference))
    assert.equal(mail.status, 'pending')
    assert.equal(mail.attempts, 1)
    assert.match(mail.last_error ?? '', /ECONNREFUSED|connect/i)
    assert.ok(Number(mail.next_attempt_at) > Date.now() + 20_000, 'retried later, with backoff')

    smtp = await startSmtpServer({ port })
    await portal.mailQueue.drain()
    assert.equal(smtp.received.length, 0, 'not due yet: the backoff holds')
    await db().updateTable('mail_outbox').set({ next_attempt_at: Date.now() }).where('id', '=', mail.id).execute()
    await portal.mailQueue.drain()
    await portal.mailQueue.drain()
    assert.equal(smtp.received.length, 1)
    assert.deepEqual(smtp.received[0]!.to, ['queued@example.vn'])
    assert.match(smtp.received[0]!.raw, new RegExp(`/applications/${app.reference}`))
    // The sender's display name survives being parsed once when the mailer is made.
    assert.match(smtp.received[0]!.raw, /^From: =\?UTF-8\?Q\?C=E1=BB=95ng_D=E1=BB=8Bch_v=E1=BB=A5_c\?=\r?\n =\?UTF-8\?Q\?=C3=B4ng\?= <portal@test\.vn>/m)
    assert.match(smtp.received[0]!.raw, /^To: queued@example\.vn$/m)
    ;[mail] = await mailsOf(app.id)
    assert.equal(mail!.status, 'sent')
    assert.ok(mail!.sent_at)
  })

  it('every status change commits with its email, and a refused change with none', async () => {
    const user = await citizen(portal, 'changes@example.vn')
    const app = await submitted(portal, user)
    await portal.dispatcher.drain()
    const received = await reread(portal, app.reference)
    const rejected = await portal.services.applications.transition(received, 'rejected', { id: null, kind: 'officer' }, { message: 'Thiếu giấy tờ' })
    await assert.rejects(portal.services.applications.transition(rejected, 'withdrawn', { id: user.id, kind: 'citizen' }), /not allowed/)
    await portal.mailQueue.idle()
    const mails = await mailsOf(app.id)
    const events = await db().selectFrom('application_events').select('to_status').where('application_id', '=', app.id).where('to_status', '!=', 'submitted').orderBy('id').execute()
    assert.deepEqual(events.map((e) => e.to_status), ['received', 'rejected'])
    assert.equal(mails.length, 2, 'one email per change after submission, none for the refused one')
    assert.ok(mails.every((m) => m.status === 'sent'))
    assert.equal(smtp!.received.filter((m) => m.to.includes('changes@example.vn')).length, 2)
  })

  it('a permanent refusal (550) is not retried; out of attempts, an email is dead', async () => {
    await smtp!.close()
    smtp = await startSmtpServer({ port, refuse: (address) => address === 'refused@example.vn' })
    const refusedUser = await citizen(portal, 'refused@example.vn')
    const refusedApp = await submitted(portal, refusedUser)
    await portal.dispatcher.drain()
    await portal.mailQueue.idle()
    const [refused] = await mailsOf(refusedApp.id)
    assert.equal(refused!.status, 'failed')
    assert.match(refused!.last_error ?? '', /550|unavailable/)
    assert.equal(smtp.received.length, 0)

    await smtp.close()
    smtp = undefined
    const user = await citizen(portal, 'unlucky@example.vn')
    const app = await submitted(portal, user)
    await portal.dispatcher.drain()
    for (let attempt = 1; attempt <= 3; attempt++) {
      await portal.mailQueue.idle()
      await db().updateTable('mail_outbox').set({ next_attempt_at: Date.now() }).where('application_id', '=', app.id).where('status', '=', 'pending').execute()
      await portal.mailQueue.drain()
    }
    const [dead] = await mailsOf(app.id)
    assert.equal(dead!.status, 'dead')
    assert.equal(dead!.attempts, 3)
  })
})
