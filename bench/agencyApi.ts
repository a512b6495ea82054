// The Agency API under load: an agency system reading one application with its bearer
// key, and posting status events (each a durable change: event, audit entry, the
// citizen's inbox message and email) with an Idempotency-Key. The key and applications
// already received by the agency are written into the database beforehand.
import { createHash, randomBytes } from 'node:crypto'
import { openDatabase } from '../server/db/database.js'
import { createIdentityRepository } from '../server/db/identityRepository.js'
import { newRowId } from '../server/db/rowIds.js'
import { insertApplications } from './submissions.js'

export const agencyApiCitizen = 'agency-api-citizen@bench.invalid'

export async function seedAgencyApi(target: { dataDir: string }, count: number) {
  const database = openDatabase({ dataDir: target.dataDir })
  const { db } = database
  const id = 'benchbenchbench2'
  const secret = randomBytes(32).toString('base64url')
  const at = new Date().toISOString()
  await db.insertInto('api_keys').values({
    id, agency_id: 'cong-an-cap-xa', name: 'bench', environment: 'live',
    scopes: 'applications:read applications:write deliveries:read', secret_hash: createHash('sha256').update(secret).digest('hex'),
    ip_allowlist: null, created_by: 'bench', created_at: at, expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    revoked_at: null, revoked_by: null, rotated_to: null, last_used_at: null, last_used_ip: null, notices_sent: '',
  }).execute()
  // A citizen of their own, so the status emails these changes send are told apart from the submissions'.
  const applicant = await createIdentityRepository(db).createUser({ email: agencyApiCitizen, passwordHash: null, fullName: 'Trần Văn Bình', verified: true })
  const answers = JSON.stringify({ applicantName: 'Nguyễn Văn An', applicantCitizenId: '001085012345', stayAddress: '12 Lý Thường Kiệt, Hà Nội', housing: 'owner' })
  const references = await insertApplications(db, count, (reference) => ({
    id: newRowId(), reference, service_id: 'dang-ky-tam-tru', agency_id: 'cong-an-cap-xa', applicant_id: applicant.id, status: 'received' as const,
    answers, profile: '{"fullName":"Nguyễn Văn An"}', current_page: 'check', created_at: at, updated_at: at, submitted_at: at, service_version: 1,
  }))
  await database.close()
  return { token: `dvc_live_${id}_${secret}`, references }
}
