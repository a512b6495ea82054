// Debian's Chromium (apt-get install chromium) driven through playwright-core, and
// axe-core's WCAG 2.2 A/AA rules; screenshots go to test-results/screenshots.
import assert from 'node:assert/strict'
import { createServer, type AddressInfo } from 'node:net'
import type { Application } from 'express'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { AxeBuilder } from '@axe-core/playwright'
import { chromium, type Browser, type Page } from 'playwright-core'
import { projectRoot } from '../../server/paths.js'

const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
export const screenshots = path.join(projectRoot, 'test-results', 'screenshots')
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']

export async function launchChromium(): Promise<Browser> {
  mkdirSync(screenshots, { recursive: true })
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  })
}

/** Zero axe violations on the page as it is now; keeps a screenshot under `name`. */
export async function checkAccessible(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).withTags(wcagTags).analyze()
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`)
  assert.deepEqual(summary, [], `axe violations on ${name}`)
  assert.ok(results.passes.length > 10, `axe ran its rules on ${name}`)
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true })
}

/** A loopback port free now, for a portal whose public address must be known before it listens. */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await new Promise((r) => probe.once('listening', r))
  const { port } = probe.address() as AddressInfo
  await new Promise((r) => probe.close(r))
  return port
}

/**
 * A test portal listening on a loopback port (a free one by default) with Chromium
 * launched, for one test file; `stop` closes all three.
 */
export async function portalInChromium(portal: { app: Application, close(): Promise<void> }, port = 0) {
  const server = portal.app.listen(port, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  const browser = await launchChromium()
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    async stop() {
      await browser.close()
      await new Promise((r) => server.close(r))
      await portal.close()
    },
  }
}

/** A new browser context (Vietnamese, downloads allowed) signed in with a password through the sign-in form. */
export async function signedInPage(
  browser: Browser, base: string, account: { email: string, password: string }, viewport = { width: 1280, height: 900 },
): Promise<Page> {
  const context = await browser.newContext({ locale: 'vi', viewport, acceptDownloads: true })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  await page.goto(`${base}/account/sign-in?lang=vi`)
  await page.getByLabel('Địa chỉ email').fill(account.email)
  await page.getByLabel('Mật khẩu').fill(account.password)
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click()
  await page.waitForURL(`${base}/account`)
  return page
}
