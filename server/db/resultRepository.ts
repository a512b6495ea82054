import { sql, type Selectable } from 'kysely'
import type { ResultRecord, ResultRepository } from '../domain/results/model.js'
import { isUniqueViolation, type Db } from './database.js'
import type { ResultTable } from './schema.js'
import { kyselyOf } from './unitOfWork.js'

const toResult = (r: Selectable<ResultTable>): ResultRecord => ({
  id: r.id, applicationId: r.application_id, reference: r.reference, code: r.code, serviceId: r.service_id, agencyId: r.agency_id,
  holderName: r.holder_name, issuedAt: r.issued_at, issuedBy: r.issued_by, issuerName: r.issuer_name, keyId: r.key_id, token: r.token,
  contentHash: r.content_hash, pdfSha256: r.pdf_sha256,
  source: r.source === 'agency' ? 'agency' : 'portal', agencyPdfSha256: r.agency_pdf_sha256, revokedAt: r.revoked_at, revokedBy: r.revoked_by, revokeReason: r.revoke_reason,
  checks: Number(r.checks),
})

export function createResultRepository(db: Db): ResultRepository {
  return {
    async insert(tx, r) {
      try {
        await kyselyOf(tx).insertInto('results').values({
          id: r.id, application_id: r.applicationId, reference: r.reference, code: r.code, service_id: r.serviceId, agency_id: r.agencyId,
          holder_name: r.holderName, issued_at: r.issuedAt, issued_by: r.issuedBy, issuer_name: r.issuerName, key_id: r.keyId, token: r.token,
          content_hash: r.contentHash, pdf_sha256: r.pdfSha256, source: r.source, agency_pdf_sha256: r.agencyPdfSha256,
          revoked_at: null, revoked_by: null, revoke_reason: null, checks: 0,
        }).execute()
        return true
      } catch (error) {
        if (isUniqueViolation(error)) return false
        throw error
      }
    },
    forApplication: async (applicationId) => {
      const row = await db.selectFrom('results').selectAll().where('application_id', '=', applicationId).executeTakeFirst()
      return row && toResult(row)
    },
    byCode: async (code) => {
      const row = await db.selectFrom('results').selectAll().where('code', '=', code).executeTakeFirst()
      return row && toResult(row)
    },
    async countCheck(tx, id) {
      await kyselyOf(tx).updateTable('results').set({ checks: sql`checks + 1` }).where('id', '=', id).execute()
    },
    async revoke(tx, id, by, reason, at) {
      const done = await kyselyOf(tx).updateTable('results').set({ revoked_at: at, revoked_by: by, revoke_reason: reason })
        .where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst()
      return Number(done.numUpdatedRows) === 1
    },
  }
}
