import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSearchEngine, type SearchDocument } from '../../server/domain/catalogue/searchEngine.js'
import { oneEditAway } from '../../server/domain/catalogue/searchQuery.js'
import { compileSearchTerms, loadSearchTerms, noSearchTerms } from '../../server/domain/catalogue/searchTerms.js'
import { foldForIndex } from '../../server/domain/catalogue/textFolding.js'
import { searchTermsFile } from '../../server/paths.js'

// A small catalogue of real titles, in the three languages, folded as the portal stores them.
function doc(id: string, vi: string, en: string, fr: string, more: Partial<SearchDocument> = {}, body = ''): SearchDocument {
  return {
    id, agencyId: 'ubnd', lifeEvents: ['khac'], popularity: 50, body: foldForIndex(body),
    title: { vi: foldForIndex(vi), en: foldForIndex(en), fr: foldForIndex(fr) }, ...more,
  }
}

const catalogue = [
  doc('thuong-tru', 'Đăng ký thường trú', 'Permanent residence registration', 'Inscription de résidence permanente', { popularity: 85 }),
  doc('lien-thong', 'Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi',
    'Birth registration, permanent residence and health insurance card for children under 6 (combined)',
    'Déclaration de naissance, résidence permanente et carte d’assurance maladie (démarche groupée)', { popularity: 90 }),
  doc('xoa-thuong-tru', 'Xóa đăng ký thường trú', 'Cancellation of permanent residence', 'Radiation de la résidence permanente', { popularity: 30 }),
  doc('khai-sinh', 'Đăng ký khai sinh', 'Birth registration', 'Déclaration de naissance', { popularity: 100, lifeEvents: ['sinh-con'] }),
  doc('ket-hon', 'Đăng ký kết hôn', 'Marriage registration', 'Enregistrement du mariage', { popularity: 75 }),
  doc('ho-chieu', 'Cấp hộ chiếu phổ thông ở trong nước', 'Ordinary passport (issued in Vietnam)', 'Passeport ordinaire (délivré au Viêt Nam)',
    { popularity: 92, agencyId: 'xuat-nhap-canh' }),
  doc('mat-ho-chieu', 'Trình báo mất hộ chiếu phổ thông', 'Reporting a lost ordinary passport', 'Déclaration de perte d’un passeport ordinaire',
    { popularity: 25, agencyId: 'xuat-nhap-canh' }),
  doc('can-cuoc', 'Cấp thẻ căn cước', 'Identity card', 'Carte d’identité', { popularity: 95 }),
  doc('gplx', 'Cấp lại giấy phép lái xe', 'Driving licence re-issue', 'Nouvelle délivrance du permis de conduire', { popularity: 45 }),
  doc('doi-gplx', 'Đổi giấy phép lái xe', 'Driving licence exchange', 'Échange du permis de conduire', { popularity: 84 }),
  doc('ma-so-thue', 'Cấp mã số thuế cá nhân', 'Personal tax code', 'Numéro fiscal personnel', { popularity: 72 }),
  doc('chan-nuoi', 'Cấp giấy chứng nhận cơ sở chăn nuôi do thay đổi thông tin', 'Livestock farm certificate after a change of details',
    'Certificat d’élevage après un changement d’informations', { popularity: 9 }),
  doc('lan-dau', 'Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu', 'First land registration and land-use right certificate',
    'Première inscription foncière', { popularity: 52 }),
  doc('ly-lich', 'Cấp Phiếu lý lịch tư pháp', 'Judicial record certificate', 'Extrait de casier judiciaire', { popularity: 83 }, 'Hộ chiếu hoặc thẻ căn cước'),
]

const terms = loadSearchTerms(searchTermsFile)
const engine = createSearchEngine(catalogue, terms)
const ids = (q: string, lang: 'vi' | 'en' | 'fr' = 'vi') => engine.search(q, { lang }).ids
const first = (q: string, lang: 'vi' | 'en' | 'fr' = 'vi') => ids(q, lang)[0]

describe('the search engine', () => {
  it('takes i for y where Vietnamese writers use either', () => {
    assert.equal(first('đăng kí kết hôn'), 'ket-hon')
    assert.equal(first('dang ki ket hon'), 'ket-hon')
    assert.equal(first('ly lich tu phap'), 'ly-lich')
    assert.equal(first('li lich tu phap'), 'ly-lich')
  })

  it('reads the usual abbreviations, from the table kept as data', () => {
    assert.equal(first('cccd'), 'can-cuoc')
    assert.equal(first('làm CMND'), 'can-cuoc')
    assert.equal(first('cap lai gplx'), 'gplx')
    assert.equal(first('MST ca nhan'), 'ma-so-thue')
    assert.equal(first('gcn qsdđ'), 'lan-dau')
    // Without the table, an abbreviation is just an unknown word.
    assert.deepEqual(createSearchEngine(catalogue, noSearchTerms).search('cccd', { lang: 'vi' }).ids, [])
  })

  it('leaves out everyday words that name no service, but not when they are all there is', () => {
    assert.equal(first('làm hộ chiếu ở đâu'), 'ho-chieu')
    assert.equal(first('xin thủ tục đăng ký kết hôn online'), 'ket-hon')
    const onlyFillers = engine.search('thủ tục', { lang: 'vi' })
    assert.deepEqual(onlyFillers.query.words, ['thu', 'tuc'])
  })

  it('forgives one typing mistake in a word of five letters or more, not in shorter ones', () => {
    assert.equal(first('dang ky thuongg tru'), 'thuong-tru')
    assert.equal(first('dang ky thuogn tru'), 'thuong-tru')
    assert.equal(first('dang ky khai sinhh'), 'khai-sinh')
    assert.equal(first('passprot'), 'ho-chieu')
    // "kte" is not a word and too short to correct: nothing is found.
    assert.deepEqual(ids('dang ky kte hon'), [])
  })

  it('knows synonyms across languages', () => {
    assert.equal(first('passport'), 'ho-chieu')
    assert.equal(first('hộ chiếu', 'en'), 'ho-chieu')
    assert.equal(first('bằng lái xe'), 'doi-gplx')
    assert.equal(first('sổ đỏ'), 'lan-dau')
  })

  it('puts a title equal to the query first, then titles starting with it, the shorter first', () => {
    assert.deepEqual(ids('dang ky thuong tru').slice(0, 2), ['thuong-tru', 'xoa-thuong-tru'])
    // The shorter title before the combined procedure, though that one is used more.
    const residence = ids('thuong tru')
    assert.ok(residence.indexOf('thuong-tru') < residence.indexOf('lien-thong'))
    // All four words long: the more used first.
    assert.deepEqual(ids('dang ky').slice(0, 3), ['khai-sinh', 'thuong-tru', 'ket-hon'])
  })

  it('ranks words together above the same words apart', () => {
    // "chứng nhận" together in lan-dau; "chung" and "nhan" apart in no title here, but "so do"
    // (sổ đỏ) must not be read into "cơ sở ... do thay đổi".
    assert.equal(first('giay chung nhan quyen su dung dat'), 'lan-dau')
    assert.notEqual(first('so do'), 'chan-nuoi')
  })

  it('ranks title matches above matches in the description and documents', () => {
    const found = ids('ho chieu')
    assert.deepEqual(found.slice(0, 2), ['ho-chieu', 'mat-ho-chieu'])
    assert.equal(found.at(-1), 'ly-lich')
  })

  it('reads the last word as the start of a word, but not a single letter', () => {
    assert.equal(first('khai sin'), 'khai-sinh')
    assert.deepEqual(ids('dang ky k'), [])
  })

  it('filters by agency and life event, and pages without overlap', () => {
    assert.deepEqual(engine.search('pho thong', { lang: 'vi', agency: 'xuat-nhap-canh' }).ids, ['ho-chieu', 'mat-ho-chieu'])
    assert.deepEqual(engine.search('dang ky', { lang: 'vi', lifeEvent: 'sinh-con' }).ids, ['khai-sinh'])
    const all = engine.search('dang ky', { lang: 'vi' }, 0, 100)
    const pages = [0, 2, 4, 6].flatMap((offset) => engine.search('dang ky', { lang: 'vi' }, offset, 2).ids)
    assert.deepEqual(pages, all.ids.slice(0, 8))
    assert.equal(engine.search('dang ky', { lang: 'vi' }, 2, 2).total, all.total)
  })

  it('says what might have been meant when nothing is found', () => {
    const miss = engine.search('dnag ky khai sinh', { lang: 'vi' })
    assert.equal(miss.total, 0)
    assert.equal(engine.suggest(miss.query, { lang: 'vi' }), 'dang ki khai sinh')
    const both = engine.search('ho chieu khai sinh', { lang: 'vi' })
    assert.equal(both.total, 0)
    assert.ok(['ho chieu', 'khai sinh'].includes(engine.suggest(both.query, { lang: 'vi' }) ?? ''))
    assert.equal(engine.suggest(engine.search('qqqqqq zzzzzz', { lang: 'vi' }).query, { lang: 'vi' }), undefined)
  })

  it('makes every one-letter edit of a word', () => {
    const edits = new Set(oneEditAway('abc', 'xy'))
    for (const e of ['bc', 'ac', 'ab', 'bac', 'acb', 'xbc', 'axc', 'abx', 'xabc', 'abcy']) assert.ok(edits.has(e), e)
  })

  it('compiles abbreviations one way and synonyms both ways', () => {
    const compiled = compileSearchTerms({ abbreviations: [{ short: 'GPLX', means: ['giấy phép lái xe'], note: 'n' }], synonyms: [['thị thực', 'visa']], fillers: ['ở đâu'] })
    assert.deepEqual(compiled.alternatives.get('gplx'), [['gplx'], ['giay', 'phep', 'lai', 'xe']])
    assert.equal(compiled.alternatives.has('giay phep lai xe'), false)
    assert.deepEqual(compiled.alternatives.get('visa'), [['visa'], ['thi', 'thuc']])
    assert.ok(compiled.fillers.has('o dau'))
    assert.equal(compiled.longest, 2)
  })

  it('no everyday word of the table is a word of a real service title, which it would hide', async () => {
    const { loadAgencies } = await import('../../server/start.js')
    const { searchWords } = await import('../../server/domain/catalogue/textFolding.js')
    const titles = (await loadAgencies()).source.agencies.flatMap((a) => a.content.services)
      .flatMap((service) => (['vi', 'en', 'fr'] as const).map((l) => ` ${searchWords(service.name[l]).join(' ')} `))
    assert.ok(titles.length > 100)
    for (const filler of terms.fillers) {
      assert.deepEqual(titles.filter((t) => t.includes(` ${filler} `)), [], `"${filler}" is in a title`)
    }
  })
})
