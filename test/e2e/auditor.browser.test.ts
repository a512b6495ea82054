// The auditor's whole job in Chromium: a citizen applies, an officer reads the
// application, the agency's system pulls it over the Agency API; an auditor finds all
// three from the citizen's name, exports them and reads the request behind each; the
// citizen sees the same reads (the auditor's included) on their data-use page. Then
// neither the request log nor the portal's log lines hold the ID numbers, password or
// answers typed on the way.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { createLogger } from '../../server/logger.js'
import { checkAccessible, signedInPage, portalInChromium } from '../support/browser.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let browser: Browser
let base: string
let stop: () => Promise<void>
const logLines: string[] = []

const citizen = demoAccounts.find((a) => a.role === 'citizen')!
const auditor = demoAccounts.find((a) => a.role === 'auditor')!
const officer = { email: 'can-bo-cong-an@demo.dichvucong.invalid', fullName: 'Đỗ Quang Huy', role: 'officer' as const, agencyId: 'cong-an-cap-xa', password: 'mật khẩu cán bộ công an xã' }
const typed = { citizenId: '001085099887', stayAddress: '31 Hàng Buồm, Hoàn Kiếm, Hà Nội', phone: '0987654321' }
const reason = 'Thanh tra theo quyết định 45/QĐ-TTr'
let apiToken: string

before(async () => {
  portal = await createTestPortal({ logger: createLogger('debug', { write: (line: string) => { logLines.push(line) } }), agencyApiPerMinute: 1000 })
  await portal.services.accounts.ensureDemoAccounts([...demoAccounts, officer])
  const adminId = (await portal.database.handle.db.selectFrom('users').select('id').where('email', '=', officer.email).executeTakeFirstOrThrow()).id
  apiToken = (await portal.services.agencies.keys.create('cong-an-cap-xa', { name: 'Phần mềm một cửa công an xã', scopes: ['applications:read'], environment: 'live' },
    adminId, { ip: '127.0.0.1', requestId: 'setup' })).token
  const running = await portalInChromium(portal)
  base = running.base
  browser = running.browser
  stop = running.stop
})
after(async () => { await stop?.() })

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)

const signedIn = (account: { email: string, password: string }, viewport?: { width: number, height: number }) => signedInPage(browser, base, account, viewport)

describe('an auditor proves who read a citizen’s application', () => {
  it('from the citizen’s name to the request behind each read, and the citizen sees the same reads', async () => {
    const person = await signedIn(citizen)
    await person.goto(`${base}/services/dang-ky-tam-tru/apply`)
    await person.getByRole('button', { name: 'Bắt đầu' }).click()
    await person.getByLabel('Số căn cước').fill(typed.citizenId)
    await person.getByLabel('Số điện thoại').fill(typed.phone)
    await person.getByRole('button', { name: 'Tiếp tục' }).click()
    await person.getByLabel('Địa chỉ tạm trú').fill(typed.stayAddress)
    await person.getByLabel('Địa chỉ thường trú').fill('5 Trần Phú, Vinh, Nghệ An')
    await person.getByLabel('Ở từ ngày').fill(daysAgo(2))
    await person.getByLabel('Thời hạn tạm trú (tháng)').fill('6')
    await person.getByLabel('Nhà của tôi').check()
    await person.getByRole('button', { name: 'Tiếp tục' }).click()
    await person.getByRole('button', { name: 'Cam đoan và nộp hồ sơ' }).click()
    const reference = (await person.locator('.reference').textContent())!.trim()
    await portal.dispatcher.drain()

    // The officer reads it; the agency's system pulls it over real HTTP.
    const desk = await signedIn(officer)
    await desk.goto(`${base}/agency/applications/${reference}`)
    assert.match(await desk.locator('main').textContent() ?? '', new RegExp(reference))
    const pulled = await fetch(`${base}/api/v1/agency/applications/${reference}`, { headers: { authorization: `Bearer ${apiToken}` } })
    assert.equal(pulled.status, 200)
    await portal.services.audit.requestLog.flush()

    // The auditor, on a 375 px screen.
    const audit = await signedIn(auditor, { width: 375, height: 812 })
    await audit.goto(`${base}/audit`)
    await checkAccessible(audit, 'audit-console-375')
    await audit.getByLabel('Họ tên, email hoặc số định danh cá nhân').fill(citizen.fullName)
    await audit.getByRole('button', { name: 'Tìm', exact: true }).click()
    assert.equal(await audit.locator('.error-summary').count(), 1, 'a reason is asked for')
    await audit.getByLabel('Lý do tra cứu').fill(reason)
    await audit.getByRole('button', { name: 'Tìm', exact: true }).click()
    await checkAccessible(audit, 'audit-results-375')
    assert.ok(await audit.evaluate(() => document.documentElement.scrollWidth <= 375), 'no sideways scrolling at 375 px')
    const rows = audit.locator('#events-heading ~ table tbody tr')
    const entries = await rows.evaluateAll((trs) => trs.map((tr) => ({ text: tr.textContent ?? '', request: tr.querySelector('a[href^="/audit?request="]')?.getAttribute('href') ?? null })))
    const submittedEntry = entries.find((e) => e.text.includes('Nộp hồ sơ') && e.text.includes(reference))
    const officerRead = entries.find((e) => e.text.includes('Đọc dữ liệu của công dân') && e.text.includes(officer.fullName))
    const apiRead = entries.find((e) => e.text.includes('Đọc dữ liệu của công dân') && e.text.includes('Phần mềm một cửa công an xã'))
    assert.ok(submittedEntry && officerRead && apiRead, `the three entries: ${entries.map((e) => e.text.replace(/\s+/g, ' ')).join(' | ')}`)

    // The export: every entry found, as a file.
    const download = audit.waitForEvent('download')
    await audit.getByRole('link', { name: 'Tệp CSV' }).click()
    const csv = readFileSync((await (await download).path())!, 'utf8')
    assert.ok(csv.includes(',application.submitted,') && csv.split('\n').filter((l) => l.includes(',data.read,')).length >= 3, 'submission, the two reads and the auditor’s own')
    assert.ok(csv.includes(officer.fullName) && csv.includes('Phần mềm một cửa công an xã'))

    // The request behind each.
    const expected = [
      [submittedEntry, `POST /applications/${reference}/submit`],
      [officerRead, `GET /agency/applications/${reference}`],
      [apiRead, `GET /api/v1/agency/applications/${reference}`],
    ] as const
    for (const [entry, line] of expected) {
      await audit.goto(`${base}${entry.request!}`)
      const requests = await audit.locator('#requests-heading ~ table').textContent() ?? ''
      assert.ok(requests.replace(/\s+/g, ' ').includes(line), `${line} behind the entry`)
    }
    await checkAccessible(audit, 'audit-request-375')

    // The citizen sees the officer's, the system's and the auditor's reads, in three languages.
    await person.goto(`${base}/account/data-use`)
    const seen = (await person.locator('main table').textContent() ?? '').replace(/\s+/g, ' ')
    assert.ok(seen.includes(officer.fullName), 'the officer')
    assert.ok(seen.includes('Phần mềm một cửa công an xã'), 'the agency system')
    assert.ok(seen.includes(`Kiểm toán: ${reason}`), 'the auditor, with the reason')
    for (const lang of ['vi', 'en', 'fr']) {
      await person.goto(`${base}/account/data-use?lang=${lang}`)
      await checkAccessible(person, `data-use-${lang}`)
    }

    // Nothing typed on the way is in the request log or the log lines.
    await portal.services.audit.requestLog.flush()
    const requestRows = JSON.stringify(await portal.database.handle.db.selectFrom('request_log').selectAll().execute())
    const lines = logLines.join('')
    assert.ok(lines.includes('request completed'), 'the log lines were captured')
    for (const secret of [typed.citizenId, typed.stayAddress, typed.phone, citizen.password, officer.password, auditor.password, reason, apiToken]) {
      assert.ok(!requestRows.includes(secret), `request_log holds ${secret}`)
      assert.ok(!lines.includes(secret), `the log lines hold ${secret}`)
    }
    for (const context of browser.contexts()) await context.close()
  })
})
