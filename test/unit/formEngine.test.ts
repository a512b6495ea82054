import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { check, checkPage, conditionHolds, firstIncompletePage, keptAnswers, nextPage } from '../../server/domain/forms/formEngine.js'
import { formSchema, type FieldDefinition } from '../../server/domain/forms/formSchema.js'

const L = (s: string) => ({ vi: s, en: s, fr: s })
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)
const field = (f: Record<string, unknown>) => formSchema.parse({
  declaration: L('d'), pages: [{ id: 'p', title: L('p'), fields: [{ id: 'f', label: L('f'), ...f }] }],
}).pages[0]!.fields[0]! as FieldDefinition

describe('form engine', () => {
  it('checks each kind of field and normalises what people type', () => {
    assert.deepEqual(check(field({ type: 'text', maxLength: 5 }), ' abc '), { value: 'abc' })
    assert.equal(check(field({ type: 'text', maxLength: 5 }), 'abcdef').error?.problem, 'tooLong')
    assert.equal(check(field({ type: 'text', pattern: '\\d{3}' }), '12a').error?.problem, 'pattern')
    assert.deepEqual(check(field({ type: 'number', min: 1, max: 24 }), '12'), { value: '12' })
    assert.equal(check(field({ type: 'number', min: 1, max: 24 }), '25').error?.problem, 'range')
    assert.equal(check(field({ type: 'number' }), '1.5').error?.problem, 'number')
    assert.deepEqual(check(field({ type: 'date', past: true }), '12/4/1985'), { value: '1985-04-12' })
    assert.equal(check(field({ type: 'date' }), '2025-02-30').error?.problem, 'date')
    assert.equal(check(field({ type: 'date', past: true }), '2999-01-01').error?.problem, 'datePast')
    assert.equal(check(field({ type: 'date', future: true }), '2000-01-01').error?.problem, 'dateFuture')
    assert.deepEqual(check(field({ type: 'phone' }), '0912 345 678'), { value: '0912345678' })
    assert.deepEqual(check(field({ type: 'citizenId' }), '001 085 012 345'), { value: '001085012345' })
    assert.deepEqual(check(field({ type: 'citizenId' }), '003085012345').error, { problem: 'citizenId', params: { detail: 'province' } })
    assert.deepEqual(check(field({ type: 'enterpriseCode' }), '0100.109.106'), { value: '0100109106' })
    assert.equal(check(field({ type: 'enterpriseCode' }), '0100109107').error?.problem, 'enterpriseCode')
    assert.equal(check(field({ type: 'email' }), 'a@b').error?.problem, 'email')
    const options = [{ value: 'a', label: L('A') }, { value: 'b', label: L('B') }]
    assert.equal(check(field({ type: 'radio', options }), 'c').error?.problem, 'option')
    assert.deepEqual(check(field({ type: 'checkboxes', options }), ['a', 'b', 'a']), { value: ['a', 'b'] })
    assert.equal(check(field({ type: 'file', maxFiles: 1 }), ['d1', 'd2']).error?.problem, 'fileCount')
    assert.equal(check(field({ type: 'text' }), '').error?.problem, 'required')
    assert.deepEqual(check(field({ type: 'text', required: false }), ''), {})
  })

  const form = formSchema.parse({
    declaration: L('d'),
    pages: [
      { id: 'one', title: L('1'), fields: [
        { id: 'kind', type: 'radio', label: L('k'), options: [{ value: 'yes', label: L('y') }, { value: 'no', label: L('n') }] },
        { id: 'detail', type: 'text', label: L('d'), when: { field: 'kind', equals: 'yes' } },
        { id: 'born', type: 'date', label: L('b'), past: true },
        { id: 'reason', type: 'text', label: L('r'), when: { field: 'born', olderThanDays: 60 } },
      ] },
      { id: 'two', title: L('2'), when: { field: 'kind', oneOf: ['yes'] }, fields: [{ id: 'more', type: 'text', label: L('m') }] },
      { id: 'three', title: L('3'), fields: [{ id: 'last', type: 'text', label: L('l') }] },
    ],
  })

  it('asks a conditional question only when its condition holds, and keeps only what is asked', () => {
    const page = form.pages[0]!
    let result = checkPage(page, { kind: 'no', born: daysAgo(10) }, {})
    assert.deepEqual(result.errors, {})
    result = checkPage(page, { kind: 'yes', born: daysAgo(90) }, {})
    assert.deepEqual(Object.keys(result.errors).sort(), ['detail', 'reason'])
    assert.equal(conditionHolds({ field: 'born', olderThanDays: 60 }, { born: daysAgo(61) }), true)
    assert.equal(nextPage(form, 'one', { kind: 'no' })?.id, 'three')
    assert.equal(nextPage(form, 'one', { kind: 'yes' })?.id, 'two')
    assert.deepEqual(keptAnswers(form, { kind: 'no', detail: 'stale', born: daysAgo(5), reason: 'stale', more: 'stale', last: 'x' }), { kind: 'no', born: daysAgo(5), last: 'x' })
    assert.equal(firstIncompletePage(form, { kind: 'yes', detail: 'x', born: daysAgo(5), last: 'x' })?.id, 'two')
    assert.equal(firstIncompletePage(form, { kind: 'yes', detail: 'x', born: daysAgo(5), more: 'y', last: 'x' }), undefined)
  })
})
