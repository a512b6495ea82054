import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { newReference, parseReference } from '../../server/domain/applications/reference.js'

describe('application references', () => {
  it('look like HS-YYMM-XXXX-XXXX and parse back to themselves', () => {
    const reference = newReference(new Date('2026-11-22T10:00:00Z'))
    assert.match(reference, /^HS-2611-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/)
    assert.equal(parseReference(reference), reference)
  })

  it('accept what people type: lower case, spaces, no dashes, O for 0, I or L for 1', () => {
    const reference = 'HS-2611-0K1F-9QX' // body without its check character
    for (let i = 0; i < 32; i++) {
      const candidate = `${reference}${'0123456789ABCDEFGHJKMNPQRSTVWXYZ'[i]}`
      const parsed = parseReference(candidate)
      if (!parsed) continue
      assert.equal(parseReference(candidate.toLowerCase().replace(/-/g, ' ')), parsed)
      assert.equal(parseReference(candidate.replace('0K1F', 'OKIF')), parsed)
      assert.equal(parseReference(candidate.replace('0K1F', '0KlF').slice(3)), parsed)
      return
    }
    assert.fail('no check character fits')
  })

  it('the check character catches every single mistyped character and swapped neighbours', () => {
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
    let swapsCaught = 0
    let swaps = 0
    for (let n = 0; n < 200; n++) {
      const reference = newReference()
      const chars = reference.replace(/-/g, '').slice(2).split('')
      for (let i = 4; i < chars.length; i++) {
        for (const c of alphabet) {
          if (c === chars[i]) continue
          const typo = [...chars]
          typo[i] = c
          assert.equal(parseReference(`HS${typo.join('')}`), undefined, `${reference}: ${i} → ${c}`)
        }
        if (i + 1 < chars.length && chars[i] !== chars[i + 1]) {
          const swapped = [...chars];
          [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!]
          swaps++
          if (parseReference(`HS${swapped.join('')}`) === undefined) swapsCaught++
        }
      }
    }
    assert.ok(swapsCaught / swaps > 0.9, `${swapsCaught} of ${swaps} swaps caught`)
  })

  it('are unguessable enough: at most one repeat in 20,000', () => {
    // 35 random bits a month: one pair in 20,000 turns up about once in 170 runs (the
    // portal draws again when a reference is taken); two pairs, once in 60,000 runs.
    const seen = new Set(Array.from({ length: 20_000 }, () => newReference()))
    assert.ok(seen.size >= 19_999, `${20_000 - seen.size} repeats`)
  })
})
