// services/_example is a working agency to copy (services/README.md): copied into a
// services folder of its own, the portal serves its service, takes applications for it
// and routes them to its handler, found by convention.
import assert from 'node:assert/strict'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { ManifestError } from '../../server/domain/catalogue/manifest.js'
import { servicesDir } from '../../server/paths.js'
import { loadAgencies } from '../../server/start.js'
import { answer, start, submit } from '../support/applying.js'
import { csrfFrom } from '../support/browserless.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

const folders: string[] = []
/** A services folder holding the life events and a copy of services/_example as `agency`. */
function servicesWithExample(agency = 'thu-vien-tinh'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'services-'))
  folders.push(dir)
  cpSync(path.join(servicesDir, 'life-events.json'), path.join(dir, 'life-events.json'))
  cpSync(path.join(servicesDir, '_example'), path.join(dir, agency), { recursive: true })
  return dir
}

let portal: TestPortal
before(async () => {
  portal = await createTestPortal({ agencies: await loadAgencies(servicesWithExample()) })
  await portal.services.accounts.ensureDemoAccounts([{ email: 'doc-gia@example.vn', fullName: 'Phạm Thị Đọc', role: 'citizen', password: 'mật khẩu người đọc dài' }])
})
after(async () => {
  await portal.close()
  for (const dir of folders) rmSync(dir, { recursive: true, force: true })
})

describe('the example agency', () => {
  it('copied into a services folder, is served, applied to, and delivered to its own handler', async () => {
    const page = await request(portal.app).get('/services/vi-du-the-thu-vien?lang=en').expect(200)
    assert.match(page.text, /<h1[^>]*>Library card<\/h1>/)
    assert.match(page.text, /Provincial Library \(example\)/)

    const reader = request.agent(portal.app)
    const _csrf = await csrfFrom(reader, '/account/sign-in')
    await reader.post('/account/sign-in').type('form').send({ _csrf, email: 'doc-gia@example.vn', password: 'mật khẩu người đọc dài' }).expect(303)
    const { reference } = await start(reader, 'vi-du-the-thu-vien')
    assert.equal((await answer(reader, reference, 'nguoi-doc', { applicantName: 'Phạm Thị Đọc', applicantBirthdate: '1990-02-03', address: '7 Lê Lợi, Huế' })).status, 303)
    assert.equal((await answer(reader, reference, 'the', { cardType: 'adult' })).status, 303)
    assert.equal((await submit(reader, reference)).status, 303)

    await portal.dispatcher.drain()
    const db = portal.database.handle.db
    const app = await db.selectFrom('applications').select(['status', 'agency_reference', 'agency_id']).where('reference', '=', reference).executeTakeFirstOrThrow()
    assert.deepEqual(app, { status: 'received', agency_reference: 'TV-00001', agency_id: 'vi-du-thu-vien' })
    const delivery = await db.selectFrom('deliveries').select(['target', 'outcome']).where('agency_id', '=', 'vi-du-thu-vien').executeTakeFirstOrThrow()
    assert.deepEqual(delivery, { target: 'in-process:vi-du-thu-vien', outcome: 'accepted' })
    const shown = await reader.get(`/applications/${reference}?lang=en`).expect(200)
    assert.match(shown.text, /Collect your card at desk 1\./)
    // The status check takes the birth date from the field the form declared as the applicant's.
    const visitor = request.agent(portal.app)
    const check = await csrfFrom(visitor, '/status')
    const found = await visitor.post('/status?lang=en').type('form').send({ _csrf: check, reference, secret: '03/02/1990' }).expect(200)
    assert.match(found.text, /Received by the agency/)
    await visitor.post('/status').type('form').send({ _csrf: check, reference, secret: '04/02/1990' }).expect(404)
  })

  it('is not loaded from the project\'s own services folder: _example is a model only', async () => {
    const { source, handlers } = await loadAgencies()
    assert.ok(!source.agencies.some((a) => a.content.agency.id === 'vi-du-thu-vien'))
    assert.equal(handlers['vi-du-thu-vien'], undefined)
    assert.ok(handlers['so-tu-phap'], 'the real handlers are found by convention')
  })

  it('a handler in a folder without a manifest, or without a default export, stops the start naming the file', async () => {
    const orphan = servicesWithExample()
    mkdirSync(path.join(orphan, 'ghost'))
    writeFileSync(path.join(orphan, 'ghost', 'handler.ts'), 'export default { async handle() { return { outcome: "accepted" } } }\n')
    await assert.rejects(loadAgencies(orphan), (e: unknown) => e instanceof ManifestError
      && e.message.startsWith(path.join(orphan, 'ghost', 'handler.ts')) && /no manifest\.json/.test(e.message))
    const named = servicesWithExample()
    writeFileSync(path.join(named, 'thu-vien-tinh', 'handler.ts'), 'export const handler = { async handle() { return { outcome: "accepted" } } }\n')
    await assert.rejects(loadAgencies(named), (e: unknown) => e instanceof ManifestError
      && e.message.startsWith(path.join(named, 'thu-vien-tinh', 'handler.ts')) && /export default an AgencyHandler/.test(e.message))
  })
})
