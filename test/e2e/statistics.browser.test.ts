// The open statistics in Chromium over a year of demo history: the portal's, an agency's
// and a service's pages in three languages with zero axe violations, readable without
// JavaScript, on a 375 px screen without sideways scrolling, and a chart kept as a
// screenshot (test-results/screenshots/statistics-chart-*.png).
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { checkAccessible, portalInChromium, screenshots, signedInPage } from '../support/browser.js'
import { citizen, reread, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let browser: Browser
let base: string
let stop: () => Promise<void>
let service: string
let agency: string

before(async () => {
  portal = await createTestPortal()
  const written = await portal.services.seeding.demoHistory()
  assert.ok(written && written.applications > 1000, 'a year of demo history')
  await portal.services.statistics.refresh()
  const busiest = await portal.database.handle.db.selectFrom('applications').select(['service_id', 'agency_id'])
    .select((eb) => eb.fn.countAll<number>().as('n')).groupBy(['service_id', 'agency_id']).orderBy('n', 'desc').limit(1).executeTakeFirstOrThrow()
  service = busiest.service_id
  agency = busiest.agency_id
  const running = await portalInChromium(portal)
  base = running.base
  browser = running.browser
  stop = running.stop
})
after(async () => { await stop?.() })

describe('open statistics in Chromium', { timeout: 120_000 }, () => {
  for (const lang of ['vi', 'en', 'fr'] as const) {
    it(`the portal's, an agency's and a service's pages in ${lang} have no WCAG 2.2 A/AA violations`, async () => {
      const context = await browser.newContext({ locale: lang })
      const page = await context.newPage()
      for (const [name, url] of [['statistics', '/statistics'], ['statistics-agency', `/statistics/agencies/${agency}`], ['statistics-service', `/statistics/services/${service}`]] as const) {
        const response = await page.goto(`${base}${url}?lang=${lang}`)
        assert.equal(response?.status(), 200, url)
        assert.equal(await page.locator('h1').count(), 1)
        // Each chart is an image with a name, followed by its numbers as a table.
        const charts = page.locator('svg.chart-svg[role="img"]')
        assert.equal(await charts.count(), 2)
        assert.ok((await charts.first().getAttribute('aria-labelledby'))?.includes('-desc'))
        assert.ok(await page.locator('figure.chart + table').count() >= 2)
        assert.ok(await page.locator('svg.chart-svg rect').count() > 10, 'bars drawn from the demo history')
        await checkAccessible(page, `${name}-${lang}`)
      }
      await page.goto(`${base}/statistics/services/${service}?lang=${lang}`)
      await page.locator('figure.chart').first().screenshot({ path: path.join(screenshots, `statistics-chart-${lang}.png`) })
      await context.close()
    })
  }

  it('needs no JavaScript: the charts and their tables are in the page as sent', async () => {
    const context = await browser.newContext({ locale: 'vi', javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(`${base}/statistics/agencies/${agency}`)
    assert.equal(await page.locator('svg.chart-svg').count(), 2)
    assert.ok(await page.getByRole('table').count() >= 3)
    await context.close()
  })

  it('fits a 375 px screen without sideways scrolling', async () => {
    const context = await browser.newContext({ locale: 'vi', viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true })
    const page = await context.newPage()
    for (const [name, url] of [['portal', '/statistics'], ['agency', `/statistics/agencies/${agency}`], ['service', `/statistics/services/${service}`]] as const) {
      await page.goto(`${base}${url}`)
      const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }))
      assert.ok(scroll <= width, `${url}: ${scroll} px wide on a ${width} px screen`)
      await checkAccessible(page, `statistics-phone-${name}`)
    }
    await context.close()
  })

  it('asks the applicant once after the decision how satisfied they are, accessibly', async () => {
    const person = await citizen(portal, 'hai-long@example.vn')
    const app = await submitted(portal, person)
    await portal.dispatcher.drain()
    await portal.services.applications.transition(await reread(portal, app.reference), 'approved', { id: null, kind: 'system' }, {})
    const page = await signedInPage(browser, base, { email: 'hai-long@example.vn', password: 'mật khẩu thử nghiệm dài' })
    await page.goto(`${base}/applications/${app.reference}`)
    await page.getByRole('heading', { name: 'Bạn hài lòng với việc giải quyết hồ sơ này đến mức nào?' }).waitFor()
    await checkAccessible(page, 'satisfaction-question-vi')
    await page.getByLabel('4 – Hài lòng').check()
    await page.getByLabel('Nhận xét cho cơ quan').fill('Nhanh và rõ ràng.')
    await page.getByRole('button', { name: 'Gửi ý kiến' }).click()
    await page.getByText('Cảm ơn bạn đã cho ý kiến.').waitFor()
    await page.goto(`${base}/applications/${app.reference}`)
    assert.equal(await page.getByRole('heading', { name: /Bạn hài lòng/ }).count(), 0, 'asked only once')
    await page.context().close()
  })

  it('gives the service page an estimate from the recent decisions', async () => {
    const context = await browser.newContext({ locale: 'en' })
    const page = await context.newPage()
    await page.goto(`${base}/services/${service}?lang=en`)
    await assert.doesNotReject(page.getByText(/Over the last 6 months, half the applications were decided within \d+ working days?/).waitFor({ timeout: 5_000 }))
    await page.getByRole('link', { name: 'Statistics for this service' }).click()
    assert.equal(new URL(page.url()).pathname, `/statistics/services/${service}`)
    await context.close()
  })
})
