import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { citizen, submitted } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => { portal = await createTestPortal() })
after(async () => { await portal.close() })

const judicialAnswers = { applicantName: 'Nguyễn Văn An', applicantCitizenId: '001085012345', applicantPhone: '0912345678', applicantBirthdate: '1985-04-12', applicantGender: 'male', applicantAddress: '5 Tràng Tiền', certificateType: '1', copies: '1', purpose: 'Xin việc', delivery: 'online' }

describe('agency references', () => {
  it('come from a counter in the database: a restart or a second instance never repeats a number', async () => {
    const db = portal.database.handle.db
    const user = await citizen(portal, 'lltp@example.vn')
    const yymm = (await submitted(portal, user, 'cap-phieu-ly-lich-tu-phap', judicialAnswers)).reference.slice(3, 7)
    await portal.dispatcher.drain()
    // As another instance (or this one before a restart) would have left it.
    await db.updateTable('counters').set({ value: 41 }).where('name', '=', `so-tu-phap:lltp-${yymm}`).execute()
    const people = await Promise.all([1, 2, 3].map((n) => citizen(portal, `lltp${n}@example.vn`)))
    const next = await Promise.all(people.map((person) => submitted(portal, person, 'cap-phieu-ly-lich-tu-phap', judicialAnswers)))
    await portal.dispatcher.drain()
    const rows = await db.selectFrom('applications').select(['reference', 'agency_reference', 'status']).where('reference', 'in', next.map((a) => a.reference)).execute()
    assert.deepEqual(rows.map((r) => r.status), ['received', 'received', 'received'])
    assert.deepEqual(rows.map((r) => r.agency_reference).sort(), [42, 43, 44].map((n) => `LLTP-${yymm}-0000${n}`))
  })
})
