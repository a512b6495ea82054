import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { citizenIdProblem, provinceCodes, readCitizenId } from '../../server/domain/identity/citizenId.js'

describe('citizen ID (CCCD)', () => {
  it('reads province, year of birth and gender from the number', () => {
    assert.deepEqual(readCitizenId('001090012345'), { province: 'Hà Nội', birthYear: 1990, gender: 'male' })
    assert.deepEqual(readCitizenId('079185123456'), { province: 'Hồ Chí Minh', birthYear: 1985, gender: 'female' })
    assert.deepEqual(readCitizenId('048203000001'), { province: 'Đà Nẵng', birthYear: 2003, gender: 'male' })
    assert.deepEqual(readCitizenId('092310000001'), { province: 'Cần Thơ', birthYear: 2010, gender: 'female' })
  })

  it('knows the 63 province codes', () => {
    assert.equal(provinceCodes.size, 63)
  })

  const cases: Array<[string, { birthdate?: string, gender?: 'male' | 'female' }, string | undefined]> = [
    ['001090012345', {}, undefined],
    ['001090012345', { birthdate: '1990-05-17', gender: 'male' }, undefined],
    ['079305123456', { birthdate: '2005-01-01', gender: 'female' }, undefined],
    ['00109001234', {}, 'format'],
    ['0010900123456', {}, 'format'],
    ['00109001234a', {}, 'format'],
    [' 001090012345', {}, 'format'],
    ['003090012345', {}, 'province'],
    ['099090012345', {}, 'province'],
    ['001090012345', { birthdate: '1991-05-17' }, 'birthYear'],
    ['001290012345', { birthdate: '1990-05-17' }, 'birthYear'],
    ['001090012345', { gender: 'female' }, 'gender'],
    ['001390012345', { birthdate: '2090-01-01', gender: 'male' }, 'gender'],
  ]
  for (const [id, person, expected] of cases) {
    it(`${JSON.stringify(id)} with ${JSON.stringify(person)} → ${expected ?? 'valid'}`, () => {
      assert.equal(citizenIdProblem(id, person), expected)
    })
  }
})
