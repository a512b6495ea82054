// The handler of the example agency (services/README.md). It sees only the contract:
// the application with the profile fields its service declared, and a context.
import type { AgencyHandler } from '../../server/domain/routing/handlerContract.js'

const handler: AgencyHandler = {
  async handle(application, ctx) {
    // A refusal is final and its message is shown to the applicant, in three languages.
    if (application.answers['cardType'] === 'child' && application.onBehalfOf) {
      return { outcome: 'refused', message: { vi: 'Thẻ thiếu nhi chỉ cấp cho cá nhân.', en: 'A child card is for a person only.', fr: 'La carte enfant est réservée aux personnes.' } }
    }
    // The agency's own numbering, counted by the portal: never handed out twice.
    const number = await ctx.nextNumber('the-thu-vien')
    ctx.log.info({ number }, 'library card issued')
    return {
      outcome: 'accepted',
      agencyReference: `TV-${String(number).padStart(5, '0')}`,
      message: { vi: 'Mời bạn đến nhận thẻ tại quầy số 1.', en: 'Collect your card at desk 1.', fr: 'Retirez votre carte au guichet 1.' },
    }
  },
}

export default handler
