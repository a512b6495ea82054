// A citizen applies for birth registration with a document upload, end to end in
// Chromium, with axe on every page of the journey; then the agency's handler receives
// it and the citizen follows it. A second journey runs with JavaScript off.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { checkAccessible, portalInChromium, screenshots } from '../support/browser.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let browser: Browser
let base: string
let stop: () => Promise<void>

before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
  const running = await portalInChromium(portal)
  base = running.base
  browser = running.browser
  stop = running.stop
})

after(async () => { await stop?.() })

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)

async function signIn(page: Page, index: number) {
  await page.goto(`${base}/account/sign-in?lang=vi`)
  await page.getByLabel('Địa chỉ email').fill(demoAccounts[index]!.email)
  await page.getByLabel('Mật khẩu').fill(demoAccounts[index]!.password)
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click()
  await page.waitForURL(`${base}/account`)
}

describe('applying online in Chromium', () => {
  it('birth registration with an upload: every page of the journey passes axe', async () => {
    const context = await browser.newContext({ locale: 'vi' })
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()) })
    await signIn(page, 0)

    await page.goto(`${base}/services/dang-ky-khai-sinh/apply`)
    await checkAccessible(page, 'apply-start-vi')
    await page.getByRole('button', { name: 'Bắt đầu' }).click()

    // Page 1: the name is prefilled from the profile; a mistake first.
    assert.equal(await page.getByLabel('Họ và tên').inputValue(), 'Nguyễn Văn An')
    await checkAccessible(page, 'apply-page-applicant-vi')
    await page.getByRole('button', { name: 'Tiếp tục' }).click()
    assert.equal(await page.locator('.error-summary').count(), 1)
    await checkAccessible(page, 'apply-page-applicant-errors-vi')
    await page.locator('.error-summary a[href="#applicantCitizenId"]').click()
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'applicantCitizenId')
    await page.getByLabel('Số căn cước').fill('001085012345')
    await page.getByLabel('Số điện thoại').fill('0912 345 678')
    await page.getByLabel('Cha', { exact: true }).check()
    await page.getByRole('button', { name: 'Tiếp tục' }).click()

    await checkAccessible(page, 'apply-page-child-vi')
    await page.getByLabel('Họ, chữ đệm và tên của trẻ').fill('Nguyễn Minh Khang')
    await page.getByLabel('Ngày sinh của trẻ').fill(daysAgo(10))
    await page.getByLabel('Nam', { exact: true }).check()
    await page.getByLabel('Nơi sinh (cơ sở y tế hoặc địa chỉ)').fill('Bệnh viện Phụ sản Hà Nội')
    await page.getByRole('button', { name: 'Tiếp tục' }).click()

    await checkAccessible(page, 'apply-page-parents-vi')
    await page.getByLabel('Họ và tên mẹ').fill('Trần Thị Mai')
    await page.getByLabel('Số căn cước của mẹ').fill('001190004321')
    await page.getByLabel('Có', { exact: true }).check()
    await page.getByLabel('Họ và tên cha').fill('Nguyễn Văn An')
    await page.getByLabel('Số căn cước của cha').fill('001085012345')
    await page.getByRole('button', { name: 'Tiếp tục' }).click()

    await checkAccessible(page, 'apply-page-documents-vi')
    await page.getByLabel('Giấy chứng sinh').setInputFiles({ name: 'giay-chung-sinh.pdf', mimeType: 'application/pdf', buffer: pdf })
    await page.getByRole('button', { name: 'Tiếp tục' }).click()

    assert.equal(await page.locator('h1').textContent(), 'Kiểm tra lại câu trả lời')
    assert.match(await page.locator('main').textContent() ?? '', /giay-chung-sinh\.pdf/)
    await checkAccessible(page, 'apply-check-vi')
    await page.getByRole('button', { name: 'Cam đoan và nộp hồ sơ' }).click()

    assert.equal(await page.locator('h1').textContent(), 'Đã nộp hồ sơ')
    const reference = (await page.locator('.reference').textContent())!.trim()
    await checkAccessible(page, 'apply-confirmation-vi')

    await portal.dispatcher.drain()
    await page.getByRole('link', { name: 'Theo dõi hồ sơ này' }).click()
    assert.match(await page.locator('main').textContent() ?? '', /Cơ quan đã tiếp nhận/)
    for (const lang of ['vi', 'en', 'fr']) {
      await page.goto(`${base}/applications/${reference}?lang=${lang}`)
      await checkAccessible(page, `application-${lang}`)
      await page.goto(`${base}/applications?lang=${lang}`)
      await checkAccessible(page, `applications-${lang}`)
    }
    await page.goto(`${base}/status?lang=en`)
    await checkAccessible(page, 'status-en')
    assert.deepEqual(problems, [])
    await context.close()
  })

  it('with JavaScript off a person applies for temporary residence and the officer asks for more', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'vi' })
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    await signIn(page, 0)
    await page.goto(`${base}/services/dang-ky-tam-tru/apply`)
    await page.getByRole('button', { name: 'Bắt đầu' }).click()
    await page.getByLabel('Số căn cước').fill('001085012345')
    await page.getByLabel('Số điện thoại').fill('0912345678')
    await page.getByRole('button', { name: 'Tiếp tục' }).click()
    await page.getByLabel('Địa chỉ tạm trú').fill('12 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội')
    await page.getByLabel('Địa chỉ thường trú').fill('5 Trần Phú, Vinh, Nghệ An')
    await page.getByLabel('Ở từ ngày').fill(daysAgo(2))
    await page.getByLabel('Thời hạn tạm trú (tháng)').fill('6')
    await page.getByLabel('Nhà thuê, mượn').check()
    await page.getByLabel('Hợp đồng thuê hoặc văn bản đồng ý của chủ hộ').setInputFiles({ name: 'hop-dong.pdf', mimeType: 'application/pdf', buffer: pdf })
    await page.getByRole('button', { name: 'Tiếp tục' }).click()
    await page.getByRole('button', { name: 'Cam đoan và nộp hồ sơ' }).click()
    assert.equal(await page.locator('h1').textContent(), 'Đã nộp hồ sơ')
    await page.screenshot({ path: path.join(screenshots, 'no-javascript-apply-confirmation-vi.png'), fullPage: true })
    await context.close()
  })
})
