// Result documents: the time to issue one (render the PDF, sign the token, store the
// file, commit the record and its audit entry), measured here on the bench's database
// before the portal starts, and the results the /verify targets check under load.
import { performance } from 'node:perf_hooks'
import path from 'node:path'
import { createApplicationRepository } from '../server/db/applicationRepository.js'
import { createAuditLog } from '../server/db/audit.js'
import { createCatalogueRepository } from '../server/db/catalogueRepository.js'
import { openDatabase } from '../server/db/database.js'
import { createResultRepository } from '../server/db/resultRepository.js'
import { newRowId } from '../server/db/rowIds.js'
import { renderResultPdf } from '../server/documents/resultPdf.js'
import { createFileBlobStore } from '../server/domain/applications/blobStore.js'
import { createCatalogueService } from '../server/domain/catalogue/catalogueService.js'
import { createResultSigner } from '../server/domain/results/resultKeys.js'
import { createResults } from '../server/domain/results/resultService.js'
import { insertApplications } from './submissions.js'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Issues `count` results for approved applications, one after the other; the codes and tokens, and the time per document. */
export async function seedResults(target: { dataDir: string, publicUrl: string, signingKey: string }, count: number) {
  const database = openDatabase({ dataDir: target.dataDir })
  const { db, dialect } = database
  const at = new Date().toISOString()
  const user = await db.selectFrom('users').select('id').limit(1).executeTakeFirstOrThrow()
  const references = await insertApplications(db, count, (reference) => ({
    id: newRowId(), reference, service_id: 'dang-ky-tam-tru', agency_id: 'cong-an-cap-xa', applicant_id: user.id, status: 'approved' as const,
    answers: '{}', profile: '{"fullName":"Nguyễn Văn An"}', current_page: 'check', created_at: at, updated_at: at, submitted_at: at, decided_at: at, service_version: 1,
  }))
  const applications = createApplicationRepository(db, dialect)
  const results = createResults({
    repo: createResultRepository(db), commit: applications.commit, commitOne: applications.commitOne, audit: createAuditLog(db),
    signer: createResultSigner(target.signingKey),
    blobs: createFileBlobStore(path.join(target.dataDir, 'files')), catalogue: createCatalogueService(createCatalogueRepository(db, dialect), { cacheSeconds: 60 }),
    render: renderResultPdf, nameOf: async () => null, publicUrl: target.publicUrl,
  })
  const issueMs: number[] = []
  const renderMs: number[] = []
  const issued: Array<{ code: string, token: string }> = []
  for (const reference of references) {
    const app = (await applications.byReference(reference))!
    let started = performance.now()
    const result = await results.issue(app, { id: 'bench-officer', name: 'Cán bộ đo tải' })
    issueMs.push(performance.now() - started)
    issued.push({ code: result.code, token: result.token })
    started = performance.now()
    await renderResultPdf({
      agencyName: 'Công an cấp xã', title: 'Xác nhận đăng ký tạm trú', text: [{ lang: 'vi', text: 'Văn bản đo tải.' }], reference, holderName: 'Nguyễn Văn An',
      serviceName: 'Đăng ký tạm trú', issuedOn: '06/12/2026', issuerName: null, code: result.code, qrText: `${target.publicUrl}/verify?t=${result.token}`, verifyUrl: '',
    })
    renderMs.push(performance.now() - started)
  }
  await database.close()
  // The first document loads pdfkit and the fonts: reported apart.
  return { issued, first: issueMs[0]!, issueMedian: median(issueMs.slice(1)), renderMedian: median(renderMs.slice(1)), count }
}
