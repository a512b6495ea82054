import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import request from 'supertest'
import { createTestPortal, type TestPortal } from '../support/testApp.js'

let portal: TestPortal
before(async () => { portal = await createTestPortal() })
after(async () => { await portal.close() })

const h1 = (html: string) => /<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1]?.trim()
const htmlLang = (html: string) => /<html lang="([a-z]+)">/.exec(html)?.[1]

describe('catalogue pages', () => {
  it('English and French pages carry no Vietnamese-only text, and no editing remarks reach anyone', async () => {
    // A Vietnamese legal title (marked as such) and the language switch may stay; anything else is translated.
    const vietnamese = /[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐăơư]/
    // Official form codes (11/ĐK, TK01) are names, not text to translate.
    const visible = (html: string) => html.replace(/[\p{Lu}\d]*Đ[\p{Lu}\d/-]*/gu, '').replace(/<head>[\s\S]*?<\/head>/, '').replace(/<span lang="vi" class="legal-title">[^<]*<\/span>/g, '').replace(/<(a|span)[^>]*lang="vi"[^>]*>Tiếng Việt<\/\1>/g, '').replace(/<[^>]+>/g, ' ')
    const ids = (await portal.services.catalogue.find({ lang: 'vi', page: 1, pageSize: 100 })).items.map((s) => s.id)
    assert.ok(ids.length >= 55)
    const agencies = [...new Set((await portal.services.catalogue.find({ lang: 'vi', page: 1, pageSize: 100 })).items.map((s) => s.agency.id))]
    for (const lang of ['en', 'fr']) {
      for (const path of [...ids.map((id) => `/services/${id}`), ...agencies.map((id) => `/agencies/${id}`)]) {
        const text = visible((await request(portal.app).get(`${path}?lang=${lang}`).expect(200)).text)
        const found = vietnamese.exec(text)
        assert.equal(found, null, `${path}?lang=${lang}: …${found ? text.slice(Math.max(0, found.index - 60), found.index + 40) : ''}…`)
      }
    }
    for (const path of ids.map((id) => `/services/${id}`)) {
      assert.doesNotMatch((await request(portal.app).get(path).expect(200)).text, /\[cần kiểm tra\]|ghi là \d/)
    }
  })

  it('offers "apply online" only where the portal takes the application; the others say how and where to apply', async () => {
    const online = await request(portal.app).get('/services/dang-ky-khai-sinh?lang=en').expect(200)
    assert.match(online.text, /href="\/services\/dang-ky-khai-sinh\/apply"/)
    const offline = await request(portal.app).get('/services/dang-ky-khai-tu?lang=en').expect(200)
    assert.doesNotMatch(offline.text, /\/apply"/)
    assert.match(offline.text, /How to apply/)
    assert.match(offline.text, /Apply in person at Commune People/)
    assert.match(offline.text, /Not online on this portal/)
    assert.doesNotMatch(offline.text, /<dd>Fully online/, 'the level label does not promise what the portal cannot take')
    const list = await request(portal.app).get('/agencies/ubnd-cap-xa?lang=en').expect(200)
    const tags = [...list.text.matchAll(/href="\/services\/([a-z0-9-]+)">[\s\S]*?<span class="tag tag-(\w+)">/g)].map((m) => [m[1], m[2]])
    assert.deepEqual(Object.fromEntries(tags)['dang-ky-khai-tu'], 'offline')
    assert.notEqual(Object.fromEntries(tags)['dang-ky-khai-sinh'], 'offline')
    const api = await request(portal.app).get('/api/v1/services/dang-ky-khai-tu').expect(200)
    assert.equal((api.body as { appliesOnline: boolean }).appliesOnline, false)
  })

  it('home shows life events, most used services and agencies, in Vietnamese by default', async () => {
    const res = await request(portal.app).get('/').expect(200).expect('Content-Type', /html/)
    assert.equal(htmlLang(res.text), 'vi')
    assert.equal(h1(res.text), 'Dịch vụ công trực tuyến cho người dân và doanh nghiệp')
    assert.match(res.text, /href="\/life-events\/sinh-con">Sinh con</)
    assert.match(res.text, /href="\/life-events\/khoi-nghiep">Khởi nghiệp</)
    assert.match(res.text, /href="\/life-events\/chuyen-noi-o">Chuyển nơi ở</)
    assert.match(res.text, /href="\/services\/dang-ky-khai-sinh">Đăng ký khai sinh</)
    assert.match(res.text, /href="\/agencies\/cong-an-cap-xa">Công an cấp xã</)
    assert.equal((res.text.match(/<h1/g) ?? []).length, 1, 'one h1 per page')
    assert.match(res.text, /<a class="skip-link" href="#main">/)
    assert.match(res.text, /<main id="main"/)
  })

  it('?lang=en switches language, sets a cookie, and the cookie is remembered', async () => {
    const res = await request(portal.app).get('/?lang=en').expect(200)
    assert.equal(htmlLang(res.text), 'en')
    assert.equal(h1(res.text), 'Online public services for citizens and businesses')
    const cookie = res.headers['set-cookie']?.[0] ?? ''
    assert.match(cookie, /^lang=en;/)
    assert.match(cookie, /HttpOnly/)
    assert.match(cookie, /SameSite=Lax/)
    const again = await request(portal.app).get('/services/dang-ky-khai-sinh').set('Cookie', 'lang=en').expect(200)
    assert.equal(htmlLang(again.text), 'en')
    assert.equal(h1(again.text), 'Birth registration')
  })

  it('Accept-Language is respected on a first visit, and ?lang= wins over it', async () => {
    const fr = await request(portal.app).get('/').set('Accept-Language', 'fr-FR,fr;q=0.9,en;q=0.5').expect(200)
    assert.equal(htmlLang(fr.text), 'fr')
    assert.equal(h1(fr.text), 'Services publics en ligne pour les citoyens et les entreprises')
    const unknown = await request(portal.app).get('/').set('Accept-Language', 'de-DE').expect(200)
    assert.equal(htmlLang(unknown.text), 'vi')
    const chosen = await request(portal.app).get('/?lang=vi').set('Accept-Language', 'en').expect(200)
    assert.equal(htmlLang(chosen.text), 'vi')
  })

  it('the service page shows what a citizen needs: documents, fee, time, agency, online level, apply', async () => {
    const res = await request(portal.app).get('/services/cap-ho-chieu-pho-thong').expect(200)
    assert.equal(h1(res.text), 'Cấp hộ chiếu phổ thông ở trong nước')
    assert.match(res.text, /200\.000\s₫/)
    assert.match(res.text, /8 ngày làm việc/)
    assert.match(res.text, /Toàn trình/)
    assert.match(res.text, /Tờ khai đề nghị cấp hộ chiếu \(mẫu TK01\)/)
    assert.match(res.text, /href="\/agencies\/cuc-quan-ly-xuat-nhap-canh"/)
    // Fully online by law, but not taken by this portal: it says how to apply instead.
    assert.match(res.text, /Mức độ theo quy định: Toàn trình/)
    assert.match(res.text, /Cách nộp hồ sơ/)
    const en = await request(portal.app).get('/services/cap-ho-chieu-pho-thong?lang=en').expect(200)
    assert.match(en.text, /8 working days/)
    assert.match(en.text, /Level set by law: Fully online/)
    const fr = await request(portal.app).get('/services/dang-ky-khai-sinh?lang=fr').expect(200)
    assert.match(fr.text, /Gratuit/)
    assert.match(fr.text, /Dans la journée/)
  })

  it('the life-event page lists its services; the agency page lists the agency’s', async () => {
    const event = await request(portal.app).get('/life-events/sinh-con').expect(200)
    assert.equal(h1(event.text), 'Sinh con')
    assert.match(event.text, /href="\/services\/dang-ky-khai-sinh"/)
    assert.match(event.text, /href="\/services\/huong-che-do-thai-san"/)
    assert.doesNotMatch(event.text, /href="\/services\/cap-ho-chieu-pho-thong"/)
    const agency = await request(portal.app).get('/agencies/co-quan-thue?lang=en').expect(200)
    assert.equal(h1(agency.text), 'Tax authority (Ministry of Finance)')
    assert.match(agency.text, /6 services/)
    assert.match(agency.text, /href="\/services\/dang-ky-thue-ca-nhan"/)
    assert.doesNotMatch(agency.text, /href="\/services\/dang-ky-khai-sinh"/)
  })

  it('unknown pages are a 404 page in the user’s language, never a stack trace', async () => {
    const vi = await request(portal.app).get('/services/khong-co-dich-vu-nay').expect(404)
    assert.equal(h1(vi.text), 'Không tìm thấy trang')
    const fr = await request(portal.app).get('/no/such/page?lang=fr').expect(404)
    assert.equal(h1(fr.text), 'Page introuvable')
    await request(portal.app).get('/agencies/none').expect(404)
    await request(portal.app).get('/life-events/none').expect(404)
  })

  it('a bad query parameter on a page is a 400 naming the field, in the user’s language', async () => {
    const res = await request(portal.app).get('/life-events/sinh-con?page=0&lang=en').expect(400)
    assert.equal(h1(res.text), 'Invalid request')
    assert.match(res.text, /<strong>page<\/strong>: must be between 1 and 1,000/)
  })

  it('the apply call to action starts the online form, or says honestly that the service has none yet', async () => {
    const withForm = await request(portal.app).get('/services/dang-ky-khai-sinh/apply?lang=en').expect(200)
    assert.match(withForm.text, /Sign in to start/)
    assert.match(withForm.text, /The application has 4 steps/)
    const without = await request(portal.app).get('/services/dang-ky-khai-tu/apply?lang=en').expect(200)
    assert.match(without.text, /cannot be applied for online on this portal yet/)
    await request(portal.app).get('/services/none/apply').expect(404)
  })

  it('the open-data page links the downloads and the API', async () => {
    const res = await request(portal.app).get('/open-data').expect(200)
    assert.match(res.text, /href="\/open-data\/services\.csv"/)
    assert.match(res.text, /href="\/api\/v1\/openapi\.json"/)
  })

  it('static assets are fingerprinted and cached for a year, with ETags', async () => {
    const home = await request(portal.app).get('/').expect(200)
    const css = /href="(\/assets\/css\/app\.css\?v=[0-9a-f]{12})"/.exec(home.text)?.[1]
    assert.ok(css, 'stylesheet linked with a content hash')
    const res = await request(portal.app).get(css).expect(200)
    assert.match(res.headers['cache-control'] ?? '', /max-age=31536000, immutable/)
    assert.ok(res.headers['etag'])
  })
})
