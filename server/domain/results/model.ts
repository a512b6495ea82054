import type { Localized } from '../catalogue/types.js'
import type { Tx } from '../ports.js'

/** A result document the portal issued for an approved application (DESIGN.md, Deadlines and results). */
export interface ResultRecord {
  id: string
  applicationId: string
  reference: string
  /** printed on the document and typed on /verify: ten Crockford characters, the last a check */
  code: string
  serviceId: string
  agencyId: string
  holderName: string
  issuedAt: string
  /** who decided: an officer's id, "api-key:<id>" or "handler:<agency>" */
  issuedBy: string
  issuerName: string | null
  keyId: string
  /** the compact JWS the QR code carries */
  token: string
  /** SHA-256 (base64url) of the document's content as canonical JSON: what the token signs */
  contentHash: string
  /** SHA-256 (hex) of the PDF file as issued: the portal's document, or its page wrapping the agency's */
  pdfSha256: string
  /** portal: the portal made the document; agency: the agency sent its own signed PDF */
  source: 'portal' | 'agency'
  /** SHA-256 (hex) of the agency's own PDF, which the token's content hash covers */
  agencyPdfSha256: string | null
  revokedAt: string | null
  revokedBy: string | null
  revokeReason: string | null
  /** how many times it was checked on /verify; nothing about who checked is kept */
  checks: number
}

/** What a service's result says, from its manifest: the decision's title and text, in Vietnamese and where declared in English and French. */
export interface ResultTemplate {
  title: Partial<Localized> & { vi: string }
  text: Partial<Localized> & { vi: string }
}

export interface ResultRepository {
  /** Adds the result; false when the application has one already. */
  insert(tx: Tx, record: ResultRecord): Promise<boolean>
  forApplication(applicationId: string): Promise<ResultRecord | undefined>
  byCode(code: string): Promise<ResultRecord | undefined>
  /** One more check, counted and nothing else (one statement: through the group commit). */
  countCheck(tx: Tx, id: string): Promise<void>
  revoke(tx: Tx, id: string, by: string, reason: string, at: string): Promise<boolean>
}
