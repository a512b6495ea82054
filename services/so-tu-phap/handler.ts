// Department of Justice: judicial record certificates (Luật Lý lịch tư pháp 2009).
import type { AgencyHandler } from '../../server/domain/routing/handlerContract.js'

const handler: AgencyHandler = {
  async handle(application, ctx) {
    if (application.serviceId.startsWith('cap-phieu-ly-lich-tu-phap')) {
      // A criminal-record certificate is only issued to a person identified at level 2.
      if (application.assuranceLevel < 2) {
        return { outcome: 'refused', message: { vi: 'Phiếu lý lịch tư pháp chỉ cấp cho người đăng nhập bằng định danh điện tử mức 2. Hãy đăng nhập bằng định danh quốc gia mức 2 và nộp lại.', en: 'A judicial record certificate is only issued to a person signed in with a level-2 national identity. Sign in with it and apply again.', fr: 'Le certificat de casier judiciaire n’est délivré qu’à une personne connectée avec une identité nationale de niveau 2. Connectez-vous ainsi et refaites la demande.' } }
      }
      if (application.answers['certificateType'] === '2' && application.onBehalfOf) {
        return { outcome: 'refused', message: { vi: 'Phiếu số 2 chỉ cấp cho chính cá nhân đó, không cấp cho doanh nghiệp.', en: 'Certificate no. 2 is only issued to the person themselves, not to a business.', fr: 'Le certificat n° 2 n’est délivré qu’à la personne elle-même, pas à une entreprise.' } }
      }
    }
    // The department's own dossier number, from a counter the portal keeps: unique
    // across restarts and instances (a number in memory started again at 1).
    const number = await ctx.nextNumber(`lltp-${application.reference.slice(3, 7)}`)
    return { outcome: 'accepted', agencyReference: `LLTP-${application.reference.slice(3, 7)}-${String(number).padStart(6, '0')}` }
  },
}

export default handler
