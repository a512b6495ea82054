import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { enterpriseCheckDigit, enterpriseCodeProblem, normaliseEnterpriseCode } from '../../server/domain/identity/enterpriseCode.js'

describe('enterprise code', () => {
  it('accepts real tax codes, whose tenth digit is the check digit', () => {
    for (const code of ['0100109106', '0300588569', '0101234565', '0101234565-001', '0101234565-999']) {
      assert.equal(enterpriseCodeProblem(code), undefined, code)
    }
  })

  it('refuses a wrong check digit, a wrong length, a branch 000 and letters', () => {
    assert.equal(enterpriseCodeProblem('0100109107'), 'checkDigit')
    assert.equal(enterpriseCodeProblem('0300588568'), 'checkDigit')
    for (const code of ['010010910', '01001091066', '0100109106-000', '0100109106-01', '01001O9106', '']) {
      assert.equal(enterpriseCodeProblem(code), 'format', code)
    }
  })

  it('computes the check digit, and has none for sequences that are never issued', () => {
    assert.equal(enterpriseCheckDigit('010010910'), 6)
    assert.equal(enterpriseCheckDigit('030058856'), 9)
    // A weighted sum divisible by 11 would need the check digit 10: such sequences are not issued.
    const neverIssued = Array.from({ length: 1000 }, (_, i) => String(i).padStart(9, '0')).find((s) => enterpriseCheckDigit(s) === undefined)
    assert.ok(neverIssued)
  })

  it('ignores the spaces and dots people type', () => {
    assert.equal(normaliseEnterpriseCode(' 0100.109.106 '), '0100109106')
    assert.equal(normaliseEnterpriseCode('0101 234 565-001'), '0101234565-001')
  })
})
