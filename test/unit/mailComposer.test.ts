// The portal composes its text emails itself, with nodemailer's encoders (server/mail.ts):
// what it sends must still be a correct RFC 5322 / MIME message.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { textComposer } from '../../server/mail/mailer.js'

/** Quoted-printable back to text: soft breaks joined, =XX bytes decoded as UTF-8. */
const fromQuotedPrintable = (qp: string) => Buffer.from(qp.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')

/** RFC 2047 Q words of a header back to text (white space between two words is not part of the text). */
const fromWords = (value: string) => value.replace(/\r\n /g, ' ').replace(/\?=\s+=\?/g, '?==?')
  .replace(/=\?UTF-8\?Q\?([^?]*)\?=/g, (_, q: string) => fromQuotedPrintable(q.replace(/_/g, ' ')))

const composer = textComposer('Cổng Dịch vụ công <portal@test.vn>')
const text = 'Hồ sơ G01.123.456.789-X của bạn đã được tiếp nhận.\nXem tại https://dichvucong.example/applications/G01.123.456.789-X — một dòng dài hơn bảy mươi sáu ký tự để thử gói dòng mềm.\n\n---\n\nVotre dossier a été reçu. '

describe('text emails composed by the portal', () => {
  const date = new Date('2026-11-23T07:00:00Z')
  const { raw, messageId } = composer.compose({ to: 'citizen@example.vn', subject: 'Hồ sơ G01.123.456.789-X: đã tiếp nhận\r\nBcc: attacker@example.com', text }, date)!
  const [head, body] = [raw.slice(0, raw.indexOf('\r\n\r\n')), raw.slice(raw.indexOf('\r\n\r\n') + 4)]
  const headers = new Map(head.split(/\r\n(?! )/).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]))

  it('has the headers a mail server and a reader expect, in ASCII, lines within 78 characters', () => {
    assert.deepEqual([...headers.keys()], ['From', 'To', 'Subject', 'Message-ID', 'Date', 'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding'])
    assert.equal(fromWords(headers.get('From')!), 'Cổng Dịch vụ công <portal@test.vn>')
    assert.equal(headers.get('To'), 'citizen@example.vn')
    assert.equal(headers.get('Message-ID'), messageId)
    assert.match(messageId, /^<[0-9a-f-]{36}@test\.vn>$/)
    assert.equal(headers.get('Date'), 'Mon, 23 Nov 2026 07:00:00 +0000')
    assert.equal(headers.get('Content-Type'), 'text/plain; charset=utf-8')
    assert.equal(headers.get('Content-Transfer-Encoding'), 'quoted-printable')
    for (const line of raw.split('\r\n')) {
      assert.ok(line.length <= 78, `line too long: ${line}`)
      assert.match(line, /^[\x20-\x7e]*$/, 'only printable ASCII')
    }
  })

  it('a line break in the subject cannot add a header', () => {
    assert.ok(!headers.has('Bcc'))
    assert.equal(fromWords(headers.get('Subject')!), 'Hồ sơ G01.123.456.789-X: đã tiếp nhận Bcc: attacker@example.com')
  })

  it('the body decodes to the text, with CRLF line ends and the trailing space kept', () => {
    assert.equal(fromQuotedPrintable(body), text.replace(/\n/g, '\r\n'))
    assert.equal(raw.split('\r\n').filter((l) => l.includes('\n')).length, 0, 'no bare LF')
  })

  it('leaves an address that is not plain ASCII to nodemailer (IDN, SMTPUTF8)', () => {
    assert.equal(composer.compose({ to: 'công.dân@ví-dụ.vn', subject: 's', text: 't' }), undefined)
    assert.equal(composer.compose({ to: 'a b@example.vn', subject: 's', text: 't' }), undefined)
  })

  it('refuses a sender that is not an address', () => {
    assert.throws(() => textComposer('Cổng Dịch vụ công'), /MAIL_FROM/)
  })
})
