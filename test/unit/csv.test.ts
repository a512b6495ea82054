import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { csvCell } from '../../server/web/csv.js'

describe('CSV cells', () => {
  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    assert.equal(csvCell('a,b'), '"a,b"')
    assert.equal(csvCell('say "hi"'), '"say ""hi"""')
    assert.equal(csvCell('two\nlines'), '"two\nlines"')
    assert.equal(csvCell('plain'), 'plain')
    assert.equal(csvCell(null), '')
    assert.equal(csvCell(12), '12')
  })

  it('defuses text a spreadsheet would run as a formula', () => {
    assert.equal(csvCell('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"')
    assert.equal(csvCell('+1'), "'+1")
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)")
  })
})
