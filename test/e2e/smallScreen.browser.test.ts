// A 375 px phone: the header menu works without JavaScript, staff pages scroll only
// down, never sideways; after a form error focus lands on the error summary.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { checkAccessible, portalInChromium } from '../support/browser.js'
import { citizen, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let browser: Browser
let base: string
let stop: () => Promise<void>
let reference: string
const officer = { email: 'police.e2e@example.vn', password: 'mật khẩu cán bộ thử nghiệm', fullName: 'Võ Văn Công', role: 'officer' as const, agencyId: 'cong-an-cap-xa' }

before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts([...demoAccounts, officer])
  reference = (await submitted(portal, await citizen(portal, 'phone.user@example.vn'))).reference
  await portal.dispatcher.drain()
  ;({ browser, base, stop } = await portalInChromium(portal))
})
after(async () => { await stop() })

const phone = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${base}/account/sign-in?lang=vi`)
  await page.locator('#email').fill(email)
  await page.locator('#password').fill(password)
  await page.locator('main button[type="submit"]').click()
  await page.waitForURL(/\/account$/)
}

async function noSidewaysScroll(page: Page, name: string) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }))
  assert.ok(scroll <= width, `${name}: the page is ${scroll} px wide on a ${width} px screen`)
}

describe('on a 375 px screen', { timeout: 60_000 }, () => {
  it('the header is a menu that opens and leads on without JavaScript', async () => {
    const context = await browser.newContext({ ...phone, javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(`${base}/?lang=vi`)
    const services = page.locator('.main-nav a[href="/search"]')
    assert.equal(await services.isVisible(), false, 'the links are folded into the menu')
    await page.locator('.site-menu > summary').click()
    assert.equal(await services.isVisible(), true)
    await services.click()
    await page.waitForURL(/\/search$/)
    await noSidewaysScroll(page, 'search')
    await context.close()
    // axe needs scripts of its own: the open menu is checked in a page that runs them.
    const withScripts = await browser.newContext(phone)
    const checked = await withScripts.newPage()
    await checked.goto(`${base}/?lang=vi`)
    await checked.locator('.site-menu > summary').click()
    await checkAccessible(checked, 'phone-menu-open')
    await withScripts.close()
  })

  it('on a wide screen the same links are shown at once', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    await page.goto(`${base}/?lang=vi`)
    assert.equal(await page.locator('.main-nav a[href="/search"]').isVisible(), true)
    assert.equal(await page.locator('.site-menu > summary').isVisible(), false)
    await context.close()
  })

  it('staff pages become stacked rows: no sideways scroll, axe finds nothing', async () => {
    const visits: Array<[{ email: string, password: string }, string[]]> = [
      [officer, ['/agency', `/agency/applications/${reference}`]],
      [demoAccounts[2]!, ['/audit']],
      [demoAccounts[3]!, ['/admin', '/admin/deliveries']],
    ]
    for (const [who, paths] of visits) {
      const context = await browser.newContext(phone)
      const page = await context.newPage()
      await signIn(page, who.email, who.password)
      for (const path of paths) {
        await page.goto(`${base}${path}`)
        await noSidewaysScroll(page, path)
        await checkAccessible(page, `phone${path.replace(/[/]/g, '-')}`)
      }
      await context.close()
    }
  })

  it('after a form error the focus is on the error summary and the title says "Lỗi:"', async () => {
    const context = await browser.newContext(phone)
    const page = await context.newPage()
    await page.goto(`${base}/account/register?lang=vi`)
    await page.locator('main button[type="submit"]').click()
    await page.waitForSelector('.error-summary')
    assert.match(await page.title(), /^Lỗi: /)
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), true)
    await context.close()
  })
})
