import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { loadCatalogueSource, ManifestError } from '../../server/domain/catalogue/manifest.js'
import { servicesDir } from '../../server/paths.js'

const dirs: string[] = []
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

/** A copy of the real services folder, with one manifest changed. */
function withManifest(agency: string, change: (m: Record<string, any>) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'manifests-'))
  dirs.push(dir)
  writeFileSync(path.join(dir, 'life-events.json'), readFileSync(path.join(servicesDir, 'life-events.json')))
  const manifest = JSON.parse(readFileSync(path.join(servicesDir, agency, 'manifest.json'), 'utf8'))
  change(manifest)
  mkdirSync(path.join(dir, agency))
  writeFileSync(path.join(dir, agency, 'manifest.json'), JSON.stringify(manifest))
  return dir
}

/** A copy of the real services folder with one agency, one of whose forms is changed. */
function withForm(agency: string, service: string, change: (f: Record<string, any>) => void): string {
  const dir = withManifest(agency, () => {})
  const form = JSON.parse(readFileSync(path.join(servicesDir, agency, 'forms', `${service}.json`), 'utf8'))
  change(form)
  mkdirSync(path.join(dir, agency, 'forms'))
  writeFileSync(path.join(dir, agency, 'forms', `${service}.json`), JSON.stringify(form))
  return dir
}

describe('service manifests', () => {
  it('the shipped catalogue is valid: ≥ 40 services, ≥ 8 agencies, every text in vi/en/fr', async () => {
    const source = await loadCatalogueSource(servicesDir)
    const services = source.agencies.flatMap((a) => a.content.services)
    assert.ok(source.agencies.length >= 8, `agencies: ${source.agencies.length}`)
    assert.ok(services.length >= 40, `services: ${services.length}`)
    for (const s of services) {
      assert.ok(s.documents.length > 0 || s.fee.vnd === 0, `${s.id} lists documents`)
      assert.notEqual(s.name.vi, s.name.en, `${s.id} has an English name of its own`)
    }
  })

  it('at least 8 services have forms, and every form is valid', async () => {
    const source = await loadCatalogueSource(servicesDir)
    const withForms = source.agencies.flatMap((a) => a.content.services).filter((s) => s.form)
    assert.ok(withForms.length >= 8, `services with forms: ${withForms.length}`)
  })

  const badForms: Array<[string, (form: Record<string, any>) => void, RegExp]> = [
    ['a condition on a later or unknown field', (f) => { f['pages'][0].fields[0].when = { field: 'childName', equals: 'x' } }, /: pages\.0\.fields\.0\.when: condition on "childName"/],
    ['a field id used twice', (f) => { f['pages'][1].fields[1].id = 'childName' }, /: pages\.1\.fields\.1\.id: "childName" is used twice/],
    ['a prefill not declared in profileFields', (f) => { f['pages'][0].fields[2].prefill = 'address' }, /fields\.2\.prefill: "address" is not in profileFields/],
    ['an unknown field type', (f) => { f['pages'][0].fields[0].type = 'signature' }, /: pages\.0\.fields\.0\.type/],
    ['a label missing its French', (f) => { delete f['pages'][1].fields[0].label.fr }, /: pages\.1\.fields\.0\.label\.fr/],
    ['an invalid pattern', (f) => { f['pages'][1].fields[0].pattern = '(unclosed' }, /fields\.0\.pattern: not a valid regular expression/],
    ['a birth date field that is not a date', (f) => { f['applicantBirthdate'] = 'childName' }, /: applicantBirthdate: "childName" is not a date field of this form/],
  ]
  for (const [what, change, message] of badForms) {
    it(`a form with ${what} stops the load, naming the file and field`, async () => {
      const dir = withForm('ubnd-cap-xa', 'dang-ky-khai-sinh', change)
      await assert.rejects(loadCatalogueSource(dir), (e: unknown) =>
        e instanceof ManifestError && e.message.startsWith(path.join(dir, 'ubnd-cap-xa', 'forms', 'dang-ky-khai-sinh.json')) && message.test(e.message))
    })
  }

  it('a form for a service its agency does not declare stops the load, naming the file', async () => {
    const dir = withForm('ubnd-cap-xa', 'dang-ky-khai-sinh', () => {})
    writeFileSync(path.join(dir, 'ubnd-cap-xa', 'forms', 'no-such-service.json'), readFileSync(path.join(dir, 'ubnd-cap-xa', 'forms', 'dang-ky-khai-sinh.json')))
    await assert.rejects(loadCatalogueSource(dir), (e: unknown) => e instanceof ManifestError
      && e.message.startsWith(path.join(dir, 'ubnd-cap-xa', 'forms', 'no-such-service.json')) && /"no-such-service" is not a service of/.test(e.message))
    const orphan = withManifest('so-tu-phap', () => {})
    mkdirSync(path.join(orphan, 'ghost', 'forms'), { recursive: true })
    writeFileSync(path.join(orphan, 'ghost', 'forms', 'x.json'), readFileSync(path.join(servicesDir, 'so-tu-phap', 'forms', 'cap-phieu-ly-lich-tu-phap.json')))
    await assert.rejects(loadCatalogueSource(orphan), /ghost\/forms\/x\.json: no manifest\.json/)
  })

  it('every form that asks for a birth date declares the field, so the status check can use it', async () => {
    const source = await loadCatalogueSource(servicesDir)
    for (const s of source.agencies.flatMap((a) => a.content.services)) {
      const dates = s.form?.pages.flatMap((p) => p.fields).filter((f) => f.type === 'date' && f.prefill === 'birthdate') ?? []
      if (dates.length) assert.equal(s.form?.applicantBirthdate, dates[0]!.id, s.id)
    }
  })

  it('a changed form changes its agency\'s checksum, so the start loads it again', async () => {
    const a = await loadCatalogueSource(withForm('ubnd-cap-xa', 'dang-ky-khai-sinh', () => {}))
    const b = await loadCatalogueSource(withForm('ubnd-cap-xa', 'dang-ky-khai-sinh', (f) => { f['declaration'].en = 'Changed.' }))
    assert.notEqual(a.agencies[0]!.checksum, b.agencies[0]!.checksum)
  })

  it('a missing translation stops the load, naming the file and field', async () => {
    const dir = withManifest('so-tu-phap', (m) => { delete m['services'][1].name.fr })
    await assert.rejects(loadCatalogueSource(dir), (e: unknown) =>
      e instanceof ManifestError && e.message.includes(path.join(dir, 'so-tu-phap', 'manifest.json')) && e.message.includes('services.1.name.fr'))
  })

  it('a bad value stops the load, naming the field', async () => {
    const dir = withManifest('so-tu-phap', (m) => { m['services'][0].onlineLevel = 'sometimes' })
    await assert.rejects(loadCatalogueSource(dir), /services\.0\.onlineLevel/)
    const slug = withManifest('so-tu-phap', (m) => { m['services'][0].id = 'Not A Slug' })
    await assert.rejects(loadCatalogueSource(slug), /services\.0\.id: must be kebab-case/)
  })

  it('an unknown life event or a field that does not exist is refused', async () => {
    const event = withManifest('so-tu-phap', (m) => { m['services'][0].lifeEvents = ['no-such-event'] })
    await assert.rejects(loadCatalogueSource(event), /services\.0\.lifeEvents\.0: unknown life event "no-such-event"/)
    const extra = withManifest('so-tu-phap', (m) => { m['services'][0].colour = 'red' })
    await assert.rejects(loadCatalogueSource(extra), /services\.0/)
  })

  it('a service id declared twice is refused', async () => {
    const dir = withManifest('so-tu-phap', (m) => { m['services'][1].id = m['services'][0].id })
    await assert.rejects(loadCatalogueSource(dir), /services\.1\.id: "cap-phieu-ly-lich-tu-phap" is also declared/)
  })
})
