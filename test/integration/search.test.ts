import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { demoAccounts } from '../../server/domain/identity/demoAccounts.js'
import { signedInAgent } from '../support/browserless.js'
import { citizen } from '../support/submissions.js'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => { portal = await createTestPortal() })
after(async () => { await portal.close() })

type Item = { id: string, name: { vi: string, en: string, fr: string } }
async function search(q: string, extra = ''): Promise<{ items: Item[], total: number, suggestion?: string }> {
  const res = await request(portal.app).get(`/api/v1/services?q=${encodeURIComponent(q)}${extra}`).expect(200)
  return res.body as { items: Item[], total: number, suggestion?: string }
}

describe('search', () => {
  for (const q of ['dang ky khai sinh', 'Đăng ký khai sinh', 'ĐĂNG KÝ KHAI SINH', 'đăng ky khai sinh', 'DANG KY KHAI SINH']) {
    it(`"${q}" finds "Đăng ký khai sinh" first`, async () => {
      const { items } = await search(q)
      assert.equal(items[0]?.id, 'dang-ky-khai-sinh')
    })
  }

  it('folds đ/Đ: "dat dai" and "đất đai" find the same services', async () => {
    const plain = await search('dat dai')
    const marked = await search('đất đai')
    assert.ok(plain.total > 0)
    assert.deepEqual(plain.items.map((i) => i.id), marked.items.map((i) => i.id))
    assert.ok(plain.items.some((i) => i.id === 'dang-ky-bien-dong-dat-dai'))
  })

  it('every word must match', async () => {
    const both = await search('ho chieu khai sinh')
    assert.equal(both.total, 0)
    const passport = await search('ho chieu')
    assert.ok(passport.items.some((i) => i.id === 'cap-ho-chieu-pho-thong'))
  })

  it('services whose title holds the words rank above those matched by description', async () => {
    const { items } = await search('thuong tru')
    const titleHit = (i: Item) => i.name.vi.toLowerCase().includes('thường trú')
    const firstDescriptionOnly = items.findIndex((i) => !titleHit(i))
    assert.ok(firstDescriptionOnly > 0, 'some title hits and some description hits')
    assert.ok(items.slice(firstDescriptionOnly).every((i) => !titleHit(i)), 'no title hit after a description hit')
  })

  it('works in English and French', async () => {
    assert.equal((await search('birth registration', '&lang=en')).items[0]?.id, 'dang-ky-khai-sinh')
    assert.equal((await search('declaration de naissance', '&lang=fr')).items[0]?.id, 'dang-ky-khai-sinh')
    assert.equal((await search('passport', '&lang=en')).items[0]?.id, 'cap-ho-chieu-pho-thong')
    assert.ok((await search('permis de conduire', '&lang=fr')).items.some((i) => i.id === 'doi-giay-phep-lai-xe'))
  })

  it('is paginated: pages do not overlap and total is the same on each', async () => {
    const first = await search('dang ky', '&pageSize=5&page=1')
    const second = await search('dang ky', '&pageSize=5&page=2')
    assert.ok(first.total > 10)
    assert.equal(first.total, second.total)
    assert.equal(first.items.length, 5)
    const ids = new Set(first.items.map((i) => i.id))
    assert.ok(second.items.every((i) => !ids.has(i.id)))
  })

  it('the last word matches as a prefix, so a half-typed word finds results', async () => {
    assert.equal((await search('khai sin')).items[0]?.id, 'dang-ky-khai-sinh')
  })

  it('filters by agency and by life event', async () => {
    const police = await search('dang ky', '&agency=cong-an-cap-xa')
    assert.ok(police.total > 0)
    const res = await request(portal.app).get('/api/v1/services?agency=cong-an-cap-xa&pageSize=100').expect(200)
    assert.ok(res.body.items.every((i: { agency: { id: string } }) => i.agency.id === 'cong-an-cap-xa'))
    const baby = await request(portal.app).get('/api/v1/services?category=sinh-con&pageSize=100').expect(200)
    const babyIds = baby.body.items.map((i: Item) => i.id)
    assert.ok(babyIds.includes('dang-ky-khai-sinh'))
    assert.ok(!babyIds.includes('cap-ho-chieu-pho-thong'))
  })

  it('punctuation and symbols in a query neither break it nor inject search syntax', async () => {
    for (const q of ['"', 'khai" OR "sinh', 'sinh*', 'NEAR(khai sinh)', '(', "'; drop table services; --", 'a:b', '&|!']) {
      const res = await request(portal.app).get(`/api/v1/services?q=${encodeURIComponent(q)}`)
      assert.equal(res.status, 200, q)
    }
    // Were OR read as an operator, this would match every service with "khai".
    assert.equal((await search('khai" OR "zzzz')).total, 0)
  })

  it('the search page shows results, a count, and a message when nothing matches', async () => {
    const found = await request(portal.app).get('/search?q=khai+sinh').expect(200)
    assert.match(found.text, /dịch vụ phù hợp với “khai sinh”/)
    assert.match(found.text, /href="\/services\/dang-ky-khai-sinh"/)
    const none = await request(portal.app).get('/search?q=zzzz+qqqq&lang=en').expect(200)
    assert.match(none.text, /No service matches “zzzz qqqq”/)
    const escaped = await request(portal.app).get('/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E').expect(200)
    assert.doesNotMatch(escaped.text, /<script>alert/)
    assert.match(escaped.text, /&lt;script&gt;/)
  })

  it('finds what people type: i for y, abbreviations, everyday words, one typo, synonyms', async () => {
    for (const [q, id] of [
      ['đăng kí kết hôn', 'dang-ky-ket-hon'], ['dang ki khai sinh', 'dang-ky-khai-sinh'], ['cấp phiếu lí lịch tư pháp', 'cap-phieu-ly-lich-tu-phap'],
      ['CCCD', 'cap-the-can-cuoc'], ['đổi GPLX', 'doi-giay-phep-lai-xe'], ['MST cá nhân', 'dang-ky-thue-ca-nhan'], ['cấp lại thẻ BHYT', 'cap-lai-the-bhyt'],
      ['làm hộ chiếu ở đâu', 'cap-ho-chieu-pho-thong'], ['thủ tục đăng ký kết hôn online', 'dang-ky-ket-hon'],
      ['dang ky thuongg tru', 'dang-ky-thuong-tru'], ['passport', 'cap-ho-chieu-pho-thong'], ['bằng lái xe quốc tế', 'cap-giay-phep-lai-xe-quoc-te'],
    ] as const) assert.equal((await search(q)).items[0]?.id, id, q)
  })

  it('puts the title equal to the query first, the shorter before a combined procedure', async () => {
    assert.equal((await search('dang ky thuong tru')).items[0]?.id, 'dang-ky-thuong-tru')
    const ids = (await search('thuong tru', '&pageSize=50')).items.map((i) => i.id)
    assert.ok(ids.indexOf('dang-ky-thuong-tru') < ids.indexOf('lien-thong-khai-sinh-thuong-tru-bhyt'))
  })

  it('suggests a query that finds something, and counts the queries that found nothing', async () => {
    const miss = await search('dnag ky khai sinh')
    assert.equal(miss.total, 0)
    assert.equal(miss.suggestion, 'dang ki khai sinh')
    const page = await request(portal.app).get('/search?q=dnag+ky+khai+sinh&lang=en').expect(200)
    assert.match(page.text, /Did you mean: <a href="\/search\?q=dang%20ki%20khai%20sinh">dang ki khai sinh<\/a>\?/)
    await search('Zzyzx Qwrtp')
    await search('zzyzx qwrtp')
    await portal.services.accounts.ensureDemoAccounts(demoAccounts)
    const admin = await signedInAgent(portal.app, 'admin@demo.dichvucong.invalid', demoAccounts.find((a) => a.role === 'admin')!.password, 77)
    const misses = await admin.get('/admin/search-misses?lang=en').expect(200)
    assert.match(misses.text, /<td data-label="Search">zzyzx qwrtp<\/td><td data-label="Times">2<\/td>/)
    assert.match(misses.text, /<td data-label="Search">dnag ki khai sinh<\/td><td data-label="Times">2<\/td>/)
    // Nothing of who searched: the table has the words, the count and two times.
    const columns = await portal.database.handle.db.selectFrom('search_misses').selectAll().where('query', '=', 'zzyzx qwrtp').execute()
    assert.deepEqual(Object.keys(columns[0]!).sort(), ['count', 'first_at', 'last_at', 'query'])
    await request(portal.app).get('/admin/search-misses').expect(303)
  })

  it('a visitor without a session gets the catalogue without one; a signed-in person gets it with their session', async () => {
    const anonymous = await request(portal.app).get('/search?q=khai+sinh').expect(200)
    assert.equal(anonymous.headers['set-cookie'], undefined, 'no session made for a visitor who only reads')
    assert.doesNotMatch(anonymous.text, /action="\/account\/sign-out"/)
    await citizen(portal, 'search-reader@example.vn')
    const reader = await signedInAgent(portal.app, 'search-reader@example.vn', 'mật khẩu thử nghiệm dài', 78)
    const signedIn = await reader.get('/search?q=khai+sinh').expect(200)
    assert.match(signedIn.text, /action="\/account\/sign-out"/, 'the page knows who is signed in')
    assert.match(signedIn.text, /href="\/services\/dang-ky-khai-sinh"/)
  })
})
