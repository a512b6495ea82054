// National sign-in through the development identity provider, the account pages and
// the staff pages, in Chromium, each checked with axe in vi, en and fr.
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { checkAccessible, launchChromium, screenshots } from '../support/browser.js'
import { devClient, startDevIdentityProvider, type DevIdentityProvider } from '../support/identityProvider.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let idp: DevIdentityProvider
let server: http.Server
let browser: Browser
let base: string

before(async () => {
  server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  idp = await startDevIdentityProvider({ redirectUris: [`${base}/auth/national/callback`] })
  portal = await createTestPortal({ publicUrl: base, nationalId: { issuer: idp.issuer, ...devClient } })
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
  server.on('request', portal.app)
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await new Promise((r) => server?.close(r))
  await idp?.close()
  await portal?.close()
})

const languages = ['vi', 'en', 'fr'] as const

async function checkInEveryLanguage(page: Page, pathname: string, name: string) {
  for (const lang of languages) {
    const response = await page.goto(`${base}${pathname}${pathname.includes('?') ? '&' : '?'}lang=${lang}`)
    assert.equal(response?.status(), 200, `${pathname} in ${lang}`)
    assert.equal(await page.getAttribute('html', 'lang'), lang)
    assert.equal(await page.locator('h1').count(), 1, `one h1 on ${name}`)
    await checkAccessible(page, `${name}-${lang}`)
  }
}

async function signInWithPassword(context: BrowserContext, email: string, password: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${base}/account/sign-in?lang=en`)
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  assert.equal(await page.locator('h1').textContent(), 'My account')
  return page
}

describe('identity in Chromium', () => {
  it('national sign-in, then the account, profile and businesses pages; acting for a business', async () => {
    const context = await browser.newContext({ locale: 'vi' })
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    // Script errors and CSP violations; failed requests are checked by their URL below.
    const problems: string[] = []
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()) })
    page.on('pageerror', (e) => problems.push(e.message))
    const failed: string[] = []
    page.on('response', (r) => { if (r.status() >= 400 && r.url().startsWith(base)) failed.push(`${r.status()} ${new URL(r.url()).pathname}`) })

    await page.goto(`${base}/account/sign-in`)
    await page.getByRole('link', { name: 'Đăng nhập bằng định danh quốc gia' }).click()
    assert.equal(new URL(page.url()).origin, new URL(idp.issuer).origin, 'at the identity provider')
    await page.getByLabel(/Nguyễn Văn An/).check()
    await page.getByRole('button', { name: /Đăng nhập/ }).click()
    await page.waitForURL(`${base}/account`)
    assert.equal(await page.locator('h1').textContent(), 'Tài khoản của tôi')
    assert.match(await page.locator('main').textContent() ?? '', /Định danh điện tử quốc gia, mức 2/)

    await checkInEveryLanguage(page, '/account', 'account')
    await checkInEveryLanguage(page, '/account/profile', 'profile')

    await page.goto(`${base}/account/businesses?lang=vi`)
    await page.getByLabel('Mã số doanh nghiệp').fill('0101234565')
    await page.getByRole('button', { name: 'Liên kết doanh nghiệp' }).click()
    await page.getByRole('button', { name: 'Thao tác thay mặt Công ty TNHH Sen Vàng' }).click()
    assert.match(await page.locator('.acting-banner').textContent() ?? '', /Công ty TNHH Sen Vàng/)
    await checkInEveryLanguage(page, '/account/businesses', 'businesses')

    await page.goto(`${base}/account/businesses?lang=en`)
    await page.getByLabel('Enterprise code').fill('0312345673')
    await page.getByRole('button', { name: 'Link business' }).click()
    assert.equal(await page.locator('.error-summary').count(), 1)
    await checkAccessible(page, 'businesses-error-en')

    await checkInEveryLanguage(page, '/account/session-warning?next=/account', 'session-warning')
    assert.deepEqual(problems, [], 'no script errors or CSP violations')
    assert.deepEqual(failed, ['422 /account/businesses'], 'only the refused business link failed')
    await context.close()
  })

  it('with JavaScript off a person corrects a wrong citizen ID on the profile page', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'vi' })
    context.setDefaultTimeout(10_000)
    const page = await signInWithPassword(context, demoAccounts[0]!.email, demoAccounts[0]!.password)
    await page.goto(`${base}/account/profile?lang=vi`)
    await page.getByLabel('Ngày sinh').fill('1985-04-12')
    await page.getByLabel('Nam', { exact: true }).check()
    await page.getByLabel('Số căn cước (CCCD)').fill('001185012345')
    await page.getByRole('button', { name: 'Lưu thông tin' }).click()
    assert.match(await page.locator('.error-summary').textContent() ?? '', /không khớp với giới tính/)
    await page.getByLabel('Số căn cước (CCCD)').fill('001085012345')
    await page.getByRole('button', { name: 'Lưu thông tin' }).click()
    assert.match(await page.locator('[role=status]').textContent() ?? '', /Đã lưu/)
    await page.screenshot({ path: path.join(screenshots, 'no-javascript-profile-vi.png'), fullPage: true })
    await context.close()
  })

  it('the officer, auditor and administrator pages', async () => {
    const staff: Array<[number, string[]]> = [[1, ['/agency']], [2, ['/audit']], [3, ['/admin', '/admin/deliveries']]]
    for (const [index, paths] of staff) {
      const context = await browser.newContext({ locale: 'vi' })
      context.setDefaultTimeout(10_000)
      const page = await signInWithPassword(context, demoAccounts[index]!.email, demoAccounts[index]!.password)
      for (const p of paths) await checkInEveryLanguage(page, p, p.slice(1).replace('/', '-'))
      if (index === 3) {
        await page.goto(`${base}/admin?lang=vi`)
        await page.getByRole('link', { name: demoAccounts[0]!.fullName }).first().click()
        await checkAccessible(page, 'admin-user-vi')
      }
      await context.close()
    }
  })
})
