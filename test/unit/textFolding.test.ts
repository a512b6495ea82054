import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { queryWords } from '../../server/domain/catalogue/searchQuery.js'
import { fold, foldForIndex, spelling, tokens } from '../../server/domain/catalogue/textFolding.js'

describe('text folding', () => {
  it('removes case and tone marks and maps đ/Đ to d', () => {
    assert.equal(fold('Đăng ký khai sinh'), 'dang ky khai sinh')
    assert.equal(fold('ĐẤT ĐAI'), 'dat dai')
    assert.equal(fold('Giấy phép lái xe quốc tế'), 'giay phep lai xe quoc te')
    assert.equal(fold('Thuế thu nhập cá nhân'), 'thue thu nhap ca nhan')
    assert.equal(fold('Thông báo lưu trú'), 'thong bao luu tru')
  })

  it('folds French accents and ligatures', () => {
    assert.equal(fold('Déclaration de naissance'), 'declaration de naissance')
    assert.equal(fold('Œuvre à Noël'), 'oeuvre a noel')
  })

  it('folds decomposed input the same as composed input', () => {
    assert.equal(fold('Đăng ký'.normalize('NFD')), fold('Đăng ký'.normalize('NFC')))
  })

  it('splits on anything that is not a letter or digit', () => {
    assert.deepEqual(tokens('Cấp giấy chứng nhận xuất xứ (C/O)'), ['cap', 'giay', 'chung', 'nhan', 'xuat', 'xu', 'c', 'o'])
    assert.deepEqual(tokens('"khai" OR sinh*'), ['khai', 'or', 'sinh'])
  })

  it('bounds query words in number and length', () => {
    assert.equal(queryWords('a b '.repeat(30)).length, 32)
    assert.equal(queryWords('x'.repeat(100))[0]?.length, 40)
    assert.deepEqual(queryWords('  ,;  '), [])
  })

  it('spells i and y alike where Vietnamese writers use either, and only there', () => {
    assert.deepEqual(queryWords('đăng kí kết hôn'), queryWords('Đăng ký kết hôn'))
    assert.deepEqual(['ly', 'my', 'quy', 'y', 'sy', 'ty', 'nghy'].map(spelling), ['li', 'mi', 'qui', 'i', 'si', 'ti', 'nghi'])
    // After another vowel they are different words (tay: hand, tai: ear).
    assert.deepEqual(['tay', 'may', 'uy', 'khuy', 'yeu', 'ky2'].map(spelling), ['tay', 'may', 'uy', 'khuy', 'yeu', 'ky2'])
  })

  it('builds one folded index text from several fields, skipping empty ones', () => {
    assert.equal(foldForIndex('Hộ chiếu', null, undefined, 'Passport'), 'ho chieu passport')
  })
})
