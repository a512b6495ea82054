import { createHash, randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'
import canonicalize from 'canonicalize'
import type { Application } from '../applications/model.js'
import type { BlobStore } from '../applications/blobStore.js'
import { localDate } from '../calendar/workingDays.js'
import type { CatalogueService } from '../catalogue/catalogueService.js'
import type { Localized } from '../catalogue/types.js'
import type { RequestContext } from '../identity/accountService.js'
import type { AuditLog, Commit, CommitOne } from '../ports.js'
import type { ResultRecord, ResultRepository, ResultTemplate } from './model.js'
import type { ResultSigner } from './resultKeys.js'
import { maskedName, newVerificationCode, parseVerificationCode } from './verificationCode.js'

/** Everything printed on a result document; server/documents/resultPdf.ts lays it out. */
export interface ResultDocument {
  agencyName: string
  title: string
  /** the decision, in Vietnamese, then in English and French where the service declares them */
  text: Array<{ lang: 'vi' | 'en' | 'fr', text: string }>
  reference: string
  holderName: string
  serviceName: string
  issuedOn: string
  issuerName: string | null
  code: string
  /** what the QR code holds: the /verify address with the signed token */
  qrText: string
  verifyUrl: string
}

export interface ResultsDeps {
  repo: ResultRepository
  commit: Commit
  /** the same for one statement (a check counted), sharing disk flushes with concurrent work */
  commitOne: CommitOne
  audit: AuditLog
  signer: ResultSigner
  blobs: BlobStore
  catalogue: CatalogueService
  render: (doc: ResultDocument) => Promise<Buffer>
  /** the applicant's name, when the application does not say it */
  nameOf: (userId: string) => Promise<string | null>
  publicUrl: string
  clock?: () => Date
}

export type Verification =
  | { outcome: 'genuine' | 'revoked', result: ResultRecord, serviceName: Localized, agencyName: Localized, holder: string }
  | { outcome: 'unknown' | 'tampered' }

const defaultTemplate: ResultTemplate = {
  title: { vi: 'Thông báo kết quả giải quyết thủ tục hành chính', en: 'Decision on an administrative procedure', fr: 'Décision sur une démarche administrative' },
  text: {
    vi: '{agency} chấp thuận hồ sơ {reference} của ông/bà {name} về thủ tục {service}, giải quyết ngày {date}.',
    en: '{agency} approves application {reference} of {name} for {service}, decided on {date}.',
    fr: '{agency} accepte la demande {reference} de {name} pour {service}, décidée le {date}.',
  },
}

// The portal's page around an agency's own signed document.
const wrapperTemplate: ResultTemplate = {
  title: { vi: 'Phiếu xác thực văn bản kết quả', en: 'Verification page of a result document', fr: 'Page de vérification d’un document de résultat' },
  text: {
    vi: '{agency} đã cấp văn bản kết quả của hồ sơ {reference} ({service}) cho ông/bà {name} ngày {date}. Văn bản do cơ quan ký được cấp kèm phiếu này; '
      + 'mã băm SHA-256 của tệp văn bản: {sha256}.',
    en: '{agency} issued the result of application {reference} ({service}) to {name} on {date}. The document the agency signed comes with this page; '
      + 'the SHA-256 of its file: {sha256}.',
    fr: '{agency} a délivré le résultat de la demande {reference} ({service}) à {name} le {date}. Le document signé par l’organisme accompagne cette page ; '
      + 'SHA-256 de son fichier : {sha256}.',
  },
}

const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole)
const viDate = (iso: string) => iso.split('-').reverse().join('/')

/**
 * Results of approved applications: a PDF with the decision, its verification code and
 * a QR code holding a signed token (JWS, EdDSA) over the document's content hash and the
 * few fields a checker needs; checked by anyone at /verify, revoked by the agency.
 */
export function createResults(deps: ResultsDeps) {
  const { repo, signer, catalogue } = deps
  const clock = deps.clock ?? (() => new Date())

  /**
   * Issues the result of an approved application, once: the portal's document, or with
   * `agencyPdf` the agency's own signed PDF, kept as it is and wrapped by the portal's
   * page carrying the code and the QR code (the token then covers the PDF's SHA-256).
   * An application with a result already gets that one back.
   */
  async function issue(app: Application, issuer: { id: string, name: string | null }, ctx?: RequestContext, agencyPdf?: Buffer): Promise<ResultRecord> {
    const existing = await repo.forApplication(app.id)
    if (existing) return existing
    if (app.status !== 'approved') throw new Error(`${app.reference} is ${app.status}: only an approved application has a result`)
    const [service, agency] = await Promise.all([catalogue.service(app.serviceId), catalogue.agency(app.agencyId)])
    if (!service || !agency) throw new Error(`${app.reference}: service or agency not in the catalogue`)
    const agencyPdfSha256 = agencyPdf ? await deps.blobs.put(agencyPdf) : null
    const template = agencyPdfSha256 ? wrapperTemplate : service.resultTemplate ?? defaultTemplate
    const holderName = app.onBehalfOfName ?? app.profile?.['fullName'] ?? await deps.nameOf(app.applicantId) ?? ''
    const issuedAt = clock().toISOString()
    const issuedOn = localDate(new Date(issuedAt))
    const code = newVerificationCode()
    const texts = (['vi', 'en', 'fr'] as const).flatMap((lang) => {
      const text = template.text[lang]
      const values = {
        agency: agency.name[lang], reference: app.reference, name: holderName, service: service.name[lang], date: viDate(issuedOn), sha256: agencyPdfSha256 ?? '',
      }
      return text ? [{ lang, text: fill(text, values) }] : []
    })
    const content = {
      code, reference: app.reference, service: app.serviceId, agency: app.agencyId, holder: holderName, issuedAt, text: texts, agencyDocument: agencyPdfSha256,
    }
    const contentHash = createHash('sha256').update(canonicalize(content)!).digest('base64url')
    const token = await signer.sign({
      v: 1, c: code, r: app.reference, s: app.serviceId, a: app.agencyId, d: issuedOn, n: maskedName(holderName), h: contentHash,
    })
    const verifyUrl = `${deps.publicUrl}/verify`
    const pdf = await deps.render({
      agencyName: agency.name.vi, title: template.title.vi, text: texts, reference: app.reference, holderName, serviceName: service.name.vi,
      issuedOn: viDate(issuedOn), issuerName: issuer.name, code, qrText: `${verifyUrl}?t=${token}`, verifyUrl,
    })
    const pdfSha256 = await deps.blobs.put(pdf)
    const record: ResultRecord = {
      id: randomUUID(), applicationId: app.id, reference: app.reference, code, serviceId: app.serviceId, agencyId: app.agencyId, holderName, issuedAt,
      issuedBy: issuer.id, issuerName: issuer.name, keyId: signer.keyId, token, contentHash, pdfSha256,
      source: agencyPdfSha256 ? 'agency' : 'portal', agencyPdfSha256, revokedAt: null, revokedBy: null, revokeReason: null, checks: 0,
    }
    const added = await deps.commit(async (tx) => {
      if (!(await repo.insert(tx, record))) return false
      await deps.audit.record({
        action: 'result.issued', actorId: issuer.id, subjectId: app.applicantId, onBehalfOf: app.onBehalfOf, ip: ctx?.ip, requestId: ctx?.requestId,
        detail: { reference: app.reference, agency: app.agencyId, code, keyId: signer.keyId, ...(agencyPdfSha256 ? { agencyDocument: agencyPdfSha256 } : {}) },
      }, tx)
      return true
    })
    return added ? record : (await repo.forApplication(app.id))!
  }

  async function shown(record: ResultRecord): Promise<Verification> {
    await deps.commitOne((tx) => repo.countCheck(tx, record.id))
    const [service, agency] = await Promise.all([catalogue.service(record.serviceId), catalogue.agency(record.agencyId)])
    const fallback = (id: string): Localized => ({ vi: id, en: id, fr: id })
    return {
      outcome: record.revokedAt ? 'revoked' : 'genuine', result: { ...record, checks: record.checks + 1 },
      serviceName: service?.name ?? fallback(record.serviceId), agencyName: agency?.name ?? fallback(record.agencyId), holder: maskedName(record.holderName),
    }
  }

  return {
    issue,
    forApplication: (app: Application) => repo.forApplication(app.id),
    /** The issued PDF's bytes. */
    document: (record: ResultRecord): Readable => deps.blobs.open(record.pdfSha256),
    /** The agency's own signed PDF, for a result it sent. */
    agencyDocument: (record: ResultRecord): Readable | undefined => (record.agencyPdfSha256 ? deps.blobs.open(record.agencyPdfSha256) : undefined),
    jwks: () => signer.jwks,

    /** A check by the printed code. */
    async byCode(input: string): Promise<Verification> {
      const code = parseVerificationCode(input)
      const record = code ? await repo.byCode(code) : undefined
      return record ? shown(record) : { outcome: 'unknown' }
    },

    /** A check by the QR's token: its signature, then the document it names, then that the content hashes agree. */
    async byToken(token: string): Promise<Verification> {
      const payload = await signer.verify(token.trim())
      if (!payload || typeof payload['c'] !== 'string') return { outcome: 'tampered' }
      const record = await repo.byCode(payload['c'])
      if (!record) return { outcome: 'unknown' }
      if (record.contentHash !== payload['h'] || record.reference !== payload['r']) return { outcome: 'tampered' }
      return shown(record)
    },

    /** The agency withdraws a result, with its reason: /verify then says so. */
    async revoke(app: Application, by: string, reason: string, ctx: RequestContext): Promise<boolean> {
      const record = await repo.forApplication(app.id)
      if (!record || record.revokedAt) return false
      return deps.commit(async (tx) => {
        if (!(await repo.revoke(tx, record.id, by, reason, clock().toISOString()))) return false
        await deps.audit.record({
          action: 'result.revoked', actorId: by, subjectId: app.applicantId, onBehalfOf: app.onBehalfOf, ip: ctx.ip, requestId: ctx.requestId,
          detail: { reference: app.reference, agency: app.agencyId, code: record.code, reason },
        }, tx)
        return true
      })
    },
  }
}

export type Results = ReturnType<typeof createResults>
