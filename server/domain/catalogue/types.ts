import type { ResultTemplate } from '../results/model.js'
import type { FormDefinition } from '../forms/formSchema.js'
export const languages = ['vi', 'en', 'fr'] as const
export type Lang = (typeof languages)[number]
export type Localized = Record<Lang, string>

export type OnlineLevel = 'full' | 'partial'
export type Applicant = 'citizen' | 'business'

export interface Agency {
  id: string
  name: Localized
  description: Localized
  level: string
  website: string | null
  sourceNote: Localized | null
}

export interface LifeEvent {
  id: string
  name: Localized
  description: Localized
  position: number
}

export interface ServiceSummary {
  id: string
  name: Localized
  description: Localized
  agency: { id: string, name: Localized }
  feeVnd: number | null
  processingDays: number | null
  onlineLevel: OnlineLevel
  applicants: Applicant[]
  popularity: number
  /** the portal takes the application online (the service has a form here); otherwise it is made at the agency */
  appliesOnline: boolean
}

export interface Service extends ServiceSummary {
  code: string | null
  documents: Localized[]
  feeNote: Localized | null
  lifeEvents: string[]
  legalBasis: string | null
  sourceNote: Localized | null
  updatedAt: string
  /** the online application form, when the service has one */
  form: FormDefinition | null
  /** active: listed and open for applications; suspended or retired: neither */
  status: ServiceStatus
  /** the version in force */
  version: number
  /** manifest: from services/<agency>/manifest.json; agency: registered by the agency through the portal */
  origin: 'manifest' | 'agency'
  /** the result document's title and decision text; a general one when the service declares none */
  resultTemplate: ResultTemplate | null
}

export type ServiceStatus = 'active' | 'suspended' | 'retired'

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

export interface ServiceQuery {
  /** words typed by the person; empty lists the catalogue by popularity */
  q?: string | undefined
  lang: Lang
  agency?: string | undefined
  lifeEvent?: string | undefined
  page: number
  pageSize: number
}
