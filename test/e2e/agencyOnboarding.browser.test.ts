// The whole agency path in Chromium: a portal administrator onboards an agency; its
// administrator sets a password, makes a key, registers the reference receiver
// (examples/agency-receiver) as its endpoint and verifies it, registers a service with a
// form; the administrator approves; a citizen applies; the receiver gets the signed
// application and posts in_review then approved, each three times with one
// Idempotency-Key; the citizen sees each change once. Prints the time from the
// invitation to the first delivery.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { startReceiver, type Receiver } from '../../examples/agency-receiver/receiver.js'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { emailsTo, linkIn } from '../support/browserless.js'
import { checkAccessible, portalInChromium } from '../support/browser.js'
import { createTestPortal, testPublicUrl, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
let browser: Browser
let base: string
let stop: () => Promise<void>
let receiver: Receiver
let receiverDir: string
const receiverLog: string[] = []

before(async () => {
  portal = await createTestPortal()
  await portal.services.accounts.ensureDemoAccounts(demoAccounts)
  const running = await portalInChromium(portal)
  base = running.base
  browser = running.browser
  stop = running.stop
  receiverDir = mkdtempSync(path.join(tmpdir(), 'receiver-e2e-'))
  receiver = startReceiver({
    port: 0, portalUrl: base, secrets: [], apiKey: undefined, databaseFile: path.join(receiverDir, 'agency.db'), sendTimes: 3,
    decisions: [{ status: 'in_review' }, { status: 'approved', message: 'Thẻ đã sẵn sàng.' }], log: (line) => receiverLog.push(line),
  })
})
after(async () => {
  await receiver?.close()
  await stop?.()
  rmSync(receiverDir, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const password = (role: string) => demoAccounts.find((a) => a.role === role)!.password

async function newPage(locale: string): Promise<Page> {
  const context = await browser.newContext({ locale })
  context.setDefaultTimeout(10_000)
  return context.newPage()
}

async function signIn(page: Page, email: string, secret: string) {
  await page.goto(`${base}/account/sign-in?lang=en`)
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password').fill(secret)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL(`${base}/account`)
}

const service = {
  name: { vi: 'Cấp thẻ bạn đọc thư viện tỉnh', en: 'Provincial library reader’s card', fr: 'Carte de lecteur de la bibliothèque provinciale' },
  description: { vi: 'Thẻ bạn đọc của thư viện tỉnh.', en: 'A reader’s card of the provincial library.', fr: 'Une carte de lecteur.' },
  documents: [{ vi: 'Ảnh chân dung', en: 'A portrait photo', fr: 'Une photo d’identité' }],
  fee: { vnd: 20000 }, processingDays: 3, onlineLevel: 'full', applicants: ['citizen'], lifeEvents: ['giay-to-tuy-than'], legalBasis: 'Luật Thư viện 2019',
  form: {
    profileFields: ['fullName'],
    pages: [{ id: 'the', title: { vi: 'Thẻ bạn đọc', en: 'Reader’s card', fr: 'Carte de lecteur' }, fields: [
      { id: 'loaiThe', type: 'radio', label: { vi: 'Loại thẻ', en: 'Kind of card', fr: 'Type de carte' }, options: [
        { value: 'thuong', label: { vi: 'Thẻ thường', en: 'Standard', fr: 'Standard' } },
        { value: 'thieu-nhi', label: { vi: 'Thẻ thiếu nhi', en: 'Children', fr: 'Enfants' } },
      ] },
    ] }],
    declaration: { vi: 'Tôi cam đoan thông tin trên là đúng.', en: 'I declare the above is true.', fr: 'Je déclare que ce qui précède est exact.' },
  },
}

describe('an agency onboards itself, in Chromium', () => {
  it('from an invitation to a verified, signed delivery and decisions the citizen sees once', async () => {
    const admin = await newPage('en')
    await signIn(admin, 'admin@demo.dichvucong.invalid', password('admin'))
    await admin.goto(`${base}/admin/agencies/new?lang=en`)
    await checkAccessible(admin, 'admin-agency-new-en')
    await admin.getByLabel('Agency id').fill('thu-vien-tinh')
    for (const [lang, name] of [['Tiếng Việt', 'Thư viện tỉnh'], ['English', 'Provincial library'], ['Français', 'Bibliothèque provinciale']] as const) {
      await admin.getByLabel(`Name (${lang})`).fill(name)
      await admin.getByLabel(`Description (${lang})`).fill(`${name}.`)
    }
    await admin.getByLabel('Level').selectOption('provincial')
    await admin.getByRole('button', { name: 'Add the agency' }).click()
    await admin.waitForURL(`${base}/admin/agencies/thu-vien-tinh`)
    await admin.getByLabel('Full name').fill('Vũ Thị Thư')
    await admin.getByLabel('Email address').fill('quan-tri@thuvien.example.vn')
    const invitedAt = Date.now()
    await admin.getByRole('button', { name: 'Send the invitation' }).click()
    assert.match(await admin.locator('.notice').textContent() ?? '', /quan-tri@thuvien.example.vn/)
    await checkAccessible(admin, 'admin-agency-en')
    const port = await receiver.listen()
    await admin.goto(`${base}/admin/endpoint-hosts?lang=en`)
    await admin.getByLabel('Host').fill('127.0.0.1')
    await admin.getByLabel('Port').fill(String(port))
    await admin.getByLabel('Note').fill('the reference receiver')
    await admin.getByRole('button', { name: 'Allow', exact: true }).click()
    await checkAccessible(admin, 'admin-endpoint-hosts-en')

    // The agency's administrator: the single-use link, a password, the settings.
    const agencyAdmin = await newPage('vi')
    const link = linkIn(emailsTo(portal.mailDir, 'quan-tri@thuvien.example.vn').at(-1)!)
    await agencyAdmin.goto(`${base}${link.slice(testPublicUrl.length)}&lang=en`)
    await agencyAdmin.getByLabel('New password').fill('mật khẩu của thư viện tỉnh')
    await agencyAdmin.getByRole('button', { name: 'Save the new password' }).click()
    await signIn(agencyAdmin, 'quan-tri@thuvien.example.vn', 'mật khẩu của thư viện tỉnh')
    await agencyAdmin.goto(`${base}/agency?lang=vi`)
    assert.equal(new URL(agencyAdmin.url()).pathname, '/agency/settings')
    await checkAccessible(agencyAdmin, 'agency-settings-vi')

    await agencyAdmin.goto(`${base}/agency/keys?lang=en`)
    await checkAccessible(agencyAdmin, 'agency-keys-en')
    await agencyAdmin.getByLabel('Key name').fill('Reference receiver')
    await agencyAdmin.getByLabel(/^applications:read/).check()
    await agencyAdmin.getByLabel(/^applications:write/).check()
    await agencyAdmin.getByRole('button', { name: 'Make the key' }).click()
    const token = await agencyAdmin.locator('#token').inputValue()
    assert.match(token, /^dvc_live_/)
    await checkAccessible(agencyAdmin, 'agency-key-created-en')
    receiver.useApiKey(token)

    await agencyAdmin.goto(`${base}/agency/endpoint?lang=en`)
    await agencyAdmin.getByLabel('Address').fill(`http://127.0.0.1:${port}/hooks`)
    await agencyAdmin.getByRole('button', { name: 'Register an endpoint' }).click()
    const secret = await agencyAdmin.locator('#secret').inputValue()
    receiver.useSecrets([secret])
    await agencyAdmin.getByRole('link', { name: 'I have saved the secret' }).click()
    await agencyAdmin.getByRole('button', { name: 'Send the verification' }).click()
    assert.match(await agencyAdmin.locator('.notice').textContent() ?? '', /verified/)
    await checkAccessible(agencyAdmin, 'agency-endpoint-en')

    await agencyAdmin.goto(`${base}/agency/services?lang=en`)
    await agencyAdmin.getByLabel('Service id').fill('the-ban-doc')
    await agencyAdmin.getByRole('button', { name: 'Start' }).click()
    await agencyAdmin.getByLabel('Content (manifest format, JSON)').fill(JSON.stringify(service, null, 2))
    await agencyAdmin.getByRole('button', { name: 'Save the draft' }).click()
    await checkAccessible(agencyAdmin, 'agency-service-en')
    await agencyAdmin.getByRole('button', { name: 'Submit for review' }).click()
    assert.match(await agencyAdmin.locator('.notice').textContent() ?? '', /Submitted/)

    await admin.goto(`${base}/admin/services?lang=en`)
    await admin.getByRole('link', { name: 'Provincial library reader’s card' }).click()
    await checkAccessible(admin, 'admin-service-review-en')
    await admin.getByRole('button', { name: 'Approve: in force at once' }).click()

    // A citizen applies, in Vietnamese.
    const citizen = await newPage('vi')
    await signIn(citizen, 'citizen@demo.dichvucong.invalid', password('citizen'))
    await citizen.goto(`${base}/services/the-ban-doc/apply?lang=vi`)
    await citizen.getByRole('button', { name: 'Bắt đầu' }).click()
    await citizen.getByLabel('Thẻ thường').check()
    await citizen.getByRole('button', { name: 'Tiếp tục' }).click()
    await citizen.getByRole('button', { name: 'Cam đoan và nộp hồ sơ' }).click()
    const reference = (await citizen.locator('.reference').textContent())!.trim()

    for (let i = 0; i < 50 && !receiver.received().length; i++) {
      await portal.dispatcher.drain()
      await sleep(20)
    }
    assert.equal(receiver.received()[0]?.reference, reference, 'the receiver got the signed application')
    const firstDelivery = (Date.now() - invitedAt) / 1000
    process.stdout.write(`# invitation to first delivery: ${firstDelivery.toFixed(1)} s\n`)
    for (let i = 0; i < 200 && receiver.pending(); i++) await sleep(50)
    assert.equal(receiver.pending(), 0)
    assert.equal(receiverLog.filter((l) => /\(replayed\)/.test(l)).length, 4, 'each decision sent three times, the two repeats replayed')

    await citizen.goto(`${base}/applications/${reference}?lang=vi`)
    const page = await citizen.locator('main').textContent() ?? ''
    assert.match(page, /Được chấp thuận/)
    await checkAccessible(citizen, 'citizen-application-approved-vi')
    const notices = await portal.database.handle.db.selectFrom('notifications').innerJoin('applications', 'applications.id', 'notifications.application_id')
      .select('notifications.status').where('applications.reference', '=', reference).orderBy('notifications.id').execute()
    assert.deepEqual(notices.map((n) => n.status), ['received', 'in_review', 'approved'], 'the citizen is told of each change once')
  })
})
