import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fold, foldForIndex, maxQueryTokens, queryTokens, tokens } from '../../server/domain/catalogue/textFolding.js'

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

  it('bounds and de-duplicates query words', () => {
    assert.deepEqual(queryTokens('khai khai sinh'), ['khai', 'sinh'])
    assert.equal(queryTokens('a b c d e f g h i j k l').length, maxQueryTokens)
    assert.equal(queryTokens('x'.repeat(100))[0]?.length, 40)
    assert.deepEqual(queryTokens('  ,;  '), [])
  })

  it('builds one folded index text from several fields, skipping empty ones', () => {
    assert.equal(foldForIndex('Hộ chiếu', null, undefined, 'Passport'), 'ho chieu passport')
  })
})
