// Drives Debian's Chromium (apt-get install chromium) through playwright-core: the
// catalogue pages in each language, axe-core WCAG 2.2 A/AA rules with zero violations,
// the same journey with JavaScript disabled, and screenshots in test-results/.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { checkAccessible, portalInChromium, screenshots } from '../support/browser.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let browser: Browser
let base: string
let stop: () => Promise<void>

before(async () => {
  portal = await createTestPortal()
  const running = await portalInChromium(portal)
  base = running.base
  browser = running.browser
  stop = running.stop
})

after(async () => { await stop?.() })

const pagesToCheck = [
  { name: 'home', path: '/' },
  { name: 'life-event', path: '/life-events/sinh-con' },
  { name: 'search', path: '/search?q=dang+ky+khai+sinh' },
  { name: 'service', path: '/services/dang-ky-khai-sinh' },
  { name: 'agency', path: '/agencies/cong-an-cap-xa' },
  { name: 'not-found', path: '/no-such-page' },
  { name: 'sign-in', path: '/account/sign-in' },
  { name: 'register', path: '/account/register' },
]

describe('catalogue in Chromium', () => {
  for (const lang of ['vi', 'en', 'fr'] as const) {
    it(`pages in ${lang} have no WCAG 2.2 A/AA violations`, async () => {
      const context = await browser.newContext({ locale: lang })
      const page = await context.newPage()
      for (const p of pagesToCheck) {
        const sep = p.path.includes('?') ? '&' : '?'
        const response = await page.goto(`${base}${p.path}${sep}lang=${lang}`)
        assert.equal(response?.status(), p.name === 'not-found' ? 404 : 200, p.path)
        assert.equal(await page.getAttribute('html', 'lang'), lang)
        assert.equal(await page.locator('h1').count(), 1, `one h1 on ${p.name}`)
        await checkAccessible(page, `${p.name}-${lang}`)
      }
      await context.close()
    })
  }

  it('works with JavaScript disabled: search from home, open a result, switch language', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'vi' })
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    await page.goto(`${base}/`)
    await page.getByRole('searchbox', { name: 'Tìm dịch vụ công' }).fill('dang ky khai sinh')
    await page.getByRole('button', { name: 'Tìm kiếm' }).first().click()
    await page.waitForURL(/\/search\?q=dang\+ky\+khai\+sinh/)
    const first = page.locator('.service-title a').first()
    assert.equal(await first.textContent(), 'Đăng ký khai sinh')
    await first.click()
    await page.waitForURL(/\/services\/dang-ky-khai-sinh$/)
    await page.getByRole('link', { name: 'English' }).click()
    assert.equal(await page.locator('h1').textContent(), 'Birth registration')
    // The choice is remembered: the next page without ?lang= stays in English.
    await page.goto(`${base}/life-events/ket-hon`)
    assert.equal(await page.getAttribute('html', 'lang'), 'en')
    await page.screenshot({ path: path.join(screenshots, 'no-javascript-service-en.png'), fullPage: true })
    await context.close()
  })

  it('registration with mistakes shows an accessible error summary that moves focus to the field', async () => {
    // axe runs scripts in the page, so this context has JavaScript on; the page has none of its own.
    const context = await browser.newContext({ locale: 'en' })
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    await page.goto(`${base}/account/register?lang=en`)
    await page.getByLabel('Full name').fill('Trần Văn Minh')
    await page.getByLabel('Email address').fill('minh@example')
    await page.getByLabel('Password').fill('short')
    await page.getByRole('button', { name: 'Create account' }).click()
    assert.equal(await page.locator('.error-summary').count(), 1)
    await checkAccessible(page, 'register-errors-en')
    await page.locator('.error-summary a[href="#email"]').click()
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'email')
    await context.close()
  })

  it('with JavaScript off a person registers and reaches the check-your-email page', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'vi' })
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    await page.goto(`${base}/account/register`)
    await page.getByLabel('Họ và tên').fill('Trần Văn Minh')
    await page.getByLabel('Địa chỉ email').fill('minh@example.vn')
    await page.getByLabel('Mật khẩu').fill('sông Hồng chảy về biển Đông')
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click()
    assert.equal(await page.locator('h1').textContent(), 'Kiểm tra email của bạn')
    await page.screenshot({ path: path.join(screenshots, 'no-javascript-check-email-vi.png'), fullPage: true })
    await context.close()
  })

  it('the skip link is the first thing the keyboard reaches and moves focus to the main content', async () => {
    const page = await browser.newPage()
    await page.goto(`${base}/services/cap-ho-chieu-pho-thong`)
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('href'))
    assert.equal(focused, '#main')
    await page.keyboard.press('Enter')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main')
    await page.close()
  })

  it('the page loads no script and raises no CSP violation', async () => {
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()) })
    page.on('pageerror', (e) => problems.push(e.message))
    await page.goto(`${base}/search?q=ho+chieu`)
    assert.deepEqual(problems, [])
    await page.close()
  })
})
