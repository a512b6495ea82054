// Commune People's Committee: civil status (Luật Hộ tịch 2014) and household businesses
// (Nghị định 01/2021/NĐ-CP).
import type { AgencyHandler } from '../../server/domain/routing/handlerContract.js'

const daysBetween = (from: string, to: string) => Math.floor((Date.parse(to) - Date.parse(from)) / 86_400_000)

const handler: AgencyHandler = {
  async handle(application, ctx) {
    const a = application.answers
    if (application.serviceId === 'dang-ky-khai-sinh' && typeof a['childBirthdate'] === 'string') {
      // Registering within 60 days of the birth is free; later needs a reason (Điều 15).
      const late = daysBetween(a['childBirthdate'], application.submittedAt) > 60
      if (late && !a['lateReason']) {
        return { outcome: 'refused', message: { vi: 'Đăng ký khai sinh sau 60 ngày kể từ ngày sinh cần nêu lý do.', en: 'A birth registered more than 60 days after it happened needs a reason.', fr: 'Une naissance déclarée plus de 60 jours après doit être motivée.' } }
      }
      return { outcome: 'accepted', message: late ? { vi: 'Đăng ký quá hạn: có thể phải nộp lệ phí.', en: 'Registered late: a fee may apply.', fr: 'Déclaration tardive : des frais peuvent s’appliquer.' } : { vi: 'Đăng ký đúng hạn: miễn lệ phí.', en: 'Registered on time: no fee.', fr: 'Déclaration dans les délais : gratuite.' } }
    }
    if (application.serviceId === 'dang-ky-ho-kinh-doanh' && typeof a['businessName'] === 'string') {
      const taken = await ctx.lookups.enterpriseNamed(a['businessName'])
      if (taken) {
        return {
          outcome: 'refused',
          message: {
            vi: `Tên "${a['businessName']}" trùng với tên đã đăng ký (${taken.code}). Hãy chọn tên khác và nộp lại.`,
            en: `The name "${a['businessName']}" is already registered (${taken.code}). Choose another name and apply again.`,
            fr: `Le nom « ${a['businessName']} » est déjà enregistré (${taken.code}). Choisissez-en un autre et refaites la demande.`,
          },
        }
      }
    }
    return { outcome: 'accepted' }
  },
}

export default handler
