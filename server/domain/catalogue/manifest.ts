import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { formSchema, type FormDefinition } from '../forms/formSchema.js'

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case: a-z, 0-9 and single hyphens').max(100)
const localized = z.object({
  vi: z.string().trim().min(1),
  en: z.string().trim().min(1),
  fr: z.string().trim().min(1),
}).strict()

/** Vietnamese, and English and French where given. */
const viFirst = (max: number) => {
  const text = z.string().trim().min(1).max(max)
  return z.object({ vi: text, en: text.optional(), fr: text.optional() }).strict()
}

const serviceFileSchema = z.object({
  id: slug,
  code: z.string().max(40).optional(),
  name: localized,
  description: localized,
  documents: z.array(localized).max(40),
  fee: z.object({
    vnd: z.number().int().min(0).nullable(),
    note: localized.optional(),
  }).strict(),
  processingDays: z.number().int().min(0).max(365).nullable(),
  onlineLevel: z.enum(['full', 'partial']),
  applicants: z.array(z.enum(['citizen', 'business'])).min(1),
  lifeEvents: z.array(slug).min(1),
  popularity: z.number().int().min(0).max(100).default(0),
  legalBasis: z.string().max(500).optional(),
  /** a note for readers on where a figure comes from or what changed, in the three languages */
  sourceNote: localized.optional(),
  /**
   * The result document: its title and the decision's text, in Vietnamese and where the
   * service declares them in English and French; {name}, {reference}, {service},
   * {agency} and {date} are filled in.
   */
  result: z.object({ title: viFirst(200), text: viFirst(2000) }).strict().optional(),
}).strict()

/** A service as the catalogue knows it: its manifest entry, and its form from forms/<service id>.json. */
export const serviceManifestSchema = serviceFileSchema.extend({
  /** the online form; a service without one cannot be applied for online yet */
  form: formSchema.optional(),
})

export const agencyManifestSchema = z.object({
  agency: z.object({
    id: slug,
    name: localized,
    description: localized,
    level: z.enum(['national', 'provincial', 'commune', 'enterprise']),
    website: z.url().optional(),
    sourceNote: localized.optional(),
  }).strict(),
  services: z.array(serviceFileSchema).min(1),
}).strict()

/** An agency as its manifest (or a portal administrator) describes it. */
export const agencySchema = agencyManifestSchema.shape.agency

export const lifeEventsSchema = z.array(z.object({
  id: slug,
  name: localized,
  description: localized,
}).strict()).min(1)

export type ServiceManifest = z.infer<typeof serviceManifestSchema>
export type AgencyManifest = Omit<z.infer<typeof agencyManifestSchema>, 'services'> & { services: ServiceManifest[] }
export type LifeEventManifest = z.infer<typeof lifeEventsSchema>[number]

export interface LoadedManifest<T> {
  file: string
  checksum: string
  content: T
}

export interface CatalogueSource {
  lifeEvents: LoadedManifest<LifeEventManifest[]>
  agencies: Array<LoadedManifest<AgencyManifest>>
  /** every folder of the services directory, with a manifest or not */
  folders: string[]
}

export class ManifestError extends Error {}

function describeIssue(file: string, issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.join('.') : '(top level)'
  return `${file}: ${where}: ${issue.message}`
}

async function loadJson<T>(file: string, schema: z.ZodType<T>): Promise<LoadedManifest<T>> {
  const raw = await readFile(file, 'utf8')
  let data: unknown
  try {
    data = JSON.parse(raw)
  } catch (e) {
    throw new ManifestError(`${file}: not valid JSON: ${(e as Error).message}`)
  }
  const parsed = schema.safeParse(data)
  if (!parsed.success) throw new ManifestError(describeIssue(file, parsed.error.issues[0]!))
  return { file, checksum: createHash('sha256').update(raw).digest('hex'), content: parsed.data }
}

/**
 * Reads services/life-events.json, each services/<agency>/manifest.json and the forms in
 * services/<agency>/forms/<service id>.json, validates each, and checks what no single
 * file can: unique ids, known life events, a form for a service of its own agency.
 */
export async function loadCatalogueSource(servicesDir: string): Promise<CatalogueSource> {
  const lifeEvents = await loadJson(path.join(servicesDir, 'life-events.json'), lifeEventsSchema)
  // A folder whose name starts with _ (services/_example) is a model to copy, never loaded.
  const folders = (await readdir(servicesDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && !/^[_.]/.test(d.name)).map((d) => d.name).sort()
  const agencies: Array<LoadedManifest<AgencyManifest>> = []
  for (const folder of folders) {
    const file = path.join(servicesDir, folder, 'manifest.json')
    const loaded = await loadJson(file, agencyManifestSchema).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined
      throw e
    })
    const forms = await loadForms(path.join(servicesDir, folder, 'forms'))
    if (!loaded) {
      if (forms[0]) throw new ManifestError(`${forms[0].file}: no manifest.json in ${path.join(servicesDir, folder)} declares this form's service`)
      continue
    }
    agencies.push(withForms(loaded, forms))
  }
  checkReferences(lifeEvents.content, agencies)
  return { lifeEvents, agencies, folders }
}

async function loadForms(dir: string): Promise<Array<LoadedManifest<FormDefinition>>> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[]
    throw e
  })
  return Promise.all(names.filter((n) => n.endsWith('.json')).sort().map((n) => loadJson(path.join(dir, n), formSchema)))
}

/** The manifest with each form in its service; the checksum covers the forms, so a changed form is loaded again. */
function withForms(
  manifest: LoadedManifest<z.infer<typeof agencyManifestSchema>>, forms: Array<LoadedManifest<FormDefinition>>,
): LoadedManifest<AgencyManifest> {
  const services: ServiceManifest[] = manifest.content.services.map((s) => ({ ...s }))
  const checksum = createHash('sha256').update(manifest.checksum)
  for (const form of forms) {
    const id = path.basename(form.file, '.json')
    const service = services.find((s) => s.id === id)
    if (!service) throw new ManifestError(`${form.file}: "${id}" is not a service of ${manifest.file}`)
    service.form = form.content
    checksum.update(`${id}:${form.checksum}`)
  }
  return { file: manifest.file, checksum: forms.length ? checksum.digest('hex') : manifest.checksum, content: { agency: manifest.content.agency, services } }
}

function checkReferences(lifeEvents: LifeEventManifest[], agencies: Array<LoadedManifest<AgencyManifest>>): void {
  const eventIds = new Set(lifeEvents.map((e) => e.id))
  const agencyIds = new Map<string, string>()
  const serviceIds = new Map<string, string>()
  for (const { file, content } of agencies) {
    const seenAgency = agencyIds.get(content.agency.id)
    if (seenAgency) throw new ManifestError(`${file}: agency.id: "${content.agency.id}" is also declared in ${seenAgency}`)
    agencyIds.set(content.agency.id, file)
    content.services.forEach((service, i) => {
      const seen = serviceIds.get(service.id)
      if (seen) throw new ManifestError(`${file}: services.${i}.id: "${service.id}" is also declared in ${seen}`)
      serviceIds.set(service.id, file)
      service.lifeEvents.forEach((event, j) => {
        if (!eventIds.has(event)) throw new ManifestError(`${file}: services.${i}.lifeEvents.${j}: unknown life event "${event}"`)
      })
    })
  }
}
