// Commune police: residence registration (Luật Cư trú 2020).
import type { AgencyHandler } from '../../server/domain/routing/handlerContract.js'

const handler: AgencyHandler = {
  async handle(application) {
    const a = application.answers
    if (application.serviceId === 'dang-ky-tam-tru') {
      // Temporary residence is registered for at most two years (Điều 27).
      if (Number(a['stayMonths']) > 24) return { outcome: 'refused', message: { vi: 'Thời hạn tạm trú tối đa là 2 năm.', en: 'Temporary residence is registered for two years at most.', fr: 'La résidence temporaire est enregistrée pour deux ans au plus.' } }
      // The stay must not have started more than 30 days before registering (Điều 27.1).
      if (typeof a['stayFrom'] === 'string' && Date.parse(application.submittedAt) - Date.parse(a['stayFrom']) > 30 * 86_400_000) {
        return { outcome: 'refused', message: { vi: 'Phải đăng ký tạm trú trong 30 ngày kể từ ngày đến ở.', en: 'Temporary residence must be registered within 30 days of moving in.', fr: 'La résidence temporaire doit être déclarée dans les 30 jours suivant l’arrivée.' } }
      }
    }
    return { outcome: 'accepted' }
  },
}

export default handler
