// A result anyone can check, in Chromium: an officer approves, the citizen downloads the
// PDF, the test renders it to an image (pdftoppm), reads the QR code back (jsQR), opens
// the address it holds without signing in and sees "genuine"; a changed token and, once
// the agency revokes it, the same QR say otherwise; the code printed on the document
// (read with pdftotext) typed on /verify finds the same document.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import jsQRModule from 'jsqr'
import { PNG } from 'pngjs'
import type { Browser, Page } from 'playwright-core'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { parseVerificationCode } from '../../server/domain/results/verificationCode.js'
import { checkAccessible, signedInPage, freePort, portalInChromium } from '../support/browser.js'
import { citizen as citizenUser, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

// jsqr is a CommonJS bundle typed with a default export: the function is either the module or its default.
type Decode = typeof jsQRModule.default
const jsQR: Decode = typeof jsQRModule === 'function' ? jsQRModule as unknown as Decode : jsQRModule.default

let portal: TestPortal
let browser: Browser
let base: string
let stop: () => Promise<void>
const work = mkdtempSync(path.join(tmpdir(), 'result-e2e-'))

const citizen = demoAccounts.find((a) => a.role === 'citizen')!
const officer = { email: 'can-bo-ket-qua@demo.dichvucong.invalid', fullName: 'Hoàng Văn Duyệt', role: 'officer' as const, agencyId: 'cong-an-cap-xa', password: 'mật khẩu cán bộ duyệt hồ sơ' }
let reference: string

before(async () => {
  const port = await freePort()
  portal = await createTestPortal({ publicUrl: `http://127.0.0.1:${port}` })
  await portal.services.accounts.ensureDemoAccounts([...demoAccounts, officer])
  reference = (await submitted(portal, await citizenUser(portal, citizen.email))).reference
  await portal.dispatcher.drain()
  const running = await portalInChromium(portal, port)
  base = running.base
  browser = running.browser
  stop = running.stop
})
after(async () => { await stop?.() })

const signedIn = (account: { email: string, password: string }, viewport?: { width: number, height: number }) => signedInPage(browser, base, account, viewport)

async function visitor(): Promise<Page> {
  const context = await browser.newContext({ locale: 'vi', viewport: { width: 375, height: 800 } })
  context.setDefaultTimeout(10_000)
  return context.newPage()
}

/** The QR code on the PDF's page, decoded from the image pdftoppm draws of it. */
function qrOf(pdf: string): string {
  execFileSync('pdftoppm', ['-png', '-r', '200', '-singlefile', pdf, path.join(work, 'page')])
  const image = PNG.sync.read(readFileSync(path.join(work, 'page.png')))
  const found = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height)
  assert.ok(found, 'a QR code is found on the page')
  return found.data
}

describe('a result document verifiable by its QR code', () => {
  let qr: string
  let printedCode: string

  it('is issued when the officer approves and downloaded by the citizen', async () => {
    const desk = await signedIn(officer)
    await desk.goto(`${base}/agency`)
    await checkAccessible(desk, 'officer-inbox')
    await desk.getByRole('link', { name: reference }).click()
    await desk.getByLabel('Chuyển sang trạng thái').selectOption('approved')
    await desk.getByRole('button', { name: 'Lưu' }).click()
    await desk.getByRole('heading', { name: 'Kết quả giải quyết' }).waitFor()
    await checkAccessible(desk, 'officer-application-result')

    const person = await signedIn(citizen)
    await person.goto(`${base}/applications/${reference}`)
    await checkAccessible(person, 'result-application')
    const [download] = await Promise.all([person.waitForEvent('download'), person.getByRole('link', { name: 'Tải văn bản kết quả (PDF)' }).click()])
    const pdf = path.join(work, 'ket-qua.pdf')
    await download.saveAs(pdf)
    assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-')

    qr = qrOf(pdf)
    assert.ok(qr.startsWith(`${base}/verify?t=`), qr)
    const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString()
    assert.match(text, /CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM/, 'the national header, in Vietnamese letters')
    assert.match(text, new RegExp(reference))
    // The code is printed with letter spacing, which pdftotext may read as spaces inside it
    // ("X1 K2A-…" around a narrow 1): spaces out, the one candidate whose check character holds.
    const candidates = text.replace(/[ \t]+/g, '').match(/[0-9A-Z]{5}-[0-9A-Z]{5}/g) ?? []
    printedCode = candidates.find((c) => parseVerificationCode(c) === c) ?? ''
    assert.ok(printedCode, 'the verification code is printed')
  })

  it('says genuine at the address the QR code holds, without signing in', async () => {
    const page = await visitor()
    await page.goto(qr)
    await page.locator('#outcome').getByText('Văn bản xác thực').waitFor()
    assert.match(await page.locator('dl').innerText(), new RegExp(printedCode))
    await checkAccessible(page, 'verify-genuine')
  })

  it('says a changed token is not valid', async () => {
    const token = new URL(qr).searchParams.get('t')!
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, string>
    const forged = Buffer.from(JSON.stringify({ ...claims, d: '2030-01-01' })).toString('base64url')
    const page = await visitor()
    await page.goto(`${base}/verify?t=${header}.${forged}.${signature}`)
    await page.locator('#outcome').getByText('Mã QR không hợp lệ').waitFor()
  })

  it('finds the same document by the printed code typed on /verify', async () => {
    const page = await visitor()
    await page.goto(`${base}/verify`)
    await page.getByLabel('Mã xác thực').fill(printedCode.toLowerCase().replace('-', ' '))
    await page.getByRole('button', { name: 'Kiểm tra' }).click()
    await page.locator('#outcome').getByText('Văn bản xác thực').waitFor()
    assert.match(await page.locator('dl').innerText(), new RegExp(reference))
  })

  it('says revoked once the agency revokes it, with its reason', async () => {
    const desk = await signedIn(officer)
    await desk.goto(`${base}/agency/applications/${reference}`)
    await desk.getByLabel('Lý do thu hồi (người kiểm tra sẽ thấy)').fill('Cấp nhầm, sẽ cấp lại văn bản khác.')
    await desk.getByRole('button', { name: 'Thu hồi kết quả' }).click()
    await desk.getByText('Kết quả đã bị thu hồi').waitFor()
    const page = await visitor()
    await page.goto(qr)
    await page.locator('#outcome').getByText('Văn bản đã bị thu hồi').waitFor()
    assert.match(await page.locator('#outcome').innerText(), /Cấp nhầm, sẽ cấp lại văn bản khác\./)
    await checkAccessible(page, 'verify-revoked')
  })
})
