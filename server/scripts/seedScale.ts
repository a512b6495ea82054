// npm run seed:scale: loads 6,000 services, the size of the national procedure
// database, into the database the settings name (DATA_DIR or DATABASE_URL), on top of
// the real catalogue. The generated services are plausible combinations of real
// actions and subjects, marked as generated in their source note; their ids start
// with "tt-" so they never collide with real ones.
import { pino } from 'pino'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import type { ServiceManifest } from '../domain/catalogue/manifest.js'
import type { Localized } from '../domain/catalogue/types.js'
import { createMailer } from '../mail/mailer.js'
import { createServices } from '../services.js'
import { loadAgencies, loadAuditKey, migrate } from '../start.js'

const L = (vi: string, en: string, fr: string): Localized => ({ vi, en, fr })

const actions = [
  L('Cấp', 'Issue of', 'Délivrance'), L('Cấp lại', 'Re-issue of', 'Nouvelle délivrance'),
  L('Gia hạn', 'Extension of', 'Prolongation'), L('Điều chỉnh', 'Amendment of', 'Modification'),
  L('Thu hồi', 'Withdrawal of', 'Retrait'), L('Đăng ký', 'Registration of', 'Enregistrement'),
  L('Xác nhận', 'Confirmation of', 'Attestation'), L('Công nhận', 'Recognition of', 'Reconnaissance'),
  L('Thẩm định', 'Appraisal of', 'Évaluation'), L('Chấm dứt', 'Termination of', 'Cessation'),
]

const subjects: Array<[Localized, string]> = [
  [L('giấy phép lao động', 'a work permit', 'd’un permis de travail'), 'viec-lam'],
  [L('chứng chỉ hành nghề khám bệnh, chữa bệnh', 'a medical practice certificate', 'd’un certificat d’exercice médical'), 'suc-khoe-bao-hiem'],
  [L('giấy phép kinh doanh vận tải bằng xe ô tô', 'a road transport business licence', 'd’une licence de transport routier'), 'kinh-doanh'],
  [L('giấy chứng nhận đủ điều kiện an toàn thực phẩm', 'a food safety certificate', 'd’un certificat de sécurité alimentaire'), 'kinh-doanh'],
  [L('giấy phép khai thác khoáng sản', 'a mining licence', 'd’un permis d’exploitation minière'), 'kinh-doanh'],
  [L('giấy phép môi trường', 'an environmental permit', 'd’une autorisation environnementale'), 'kinh-doanh'],
  [L('giấy phép hoạt động giáo dục nghề nghiệp', 'a vocational education licence', 'd’une autorisation de formation professionnelle'), 'viec-lam'],
  [L('giấy chứng nhận cơ sở đủ điều kiện kinh doanh thuốc', 'a pharmacy business certificate', 'd’un certificat de commerce pharmaceutique'), 'kinh-doanh'],
  [L('giấy phép xuất bản bản tin', 'a newsletter publishing licence', 'd’une licence de publication de bulletin'), 'kinh-doanh'],
  [L('giấy phép thành lập cơ sở bảo trợ xã hội', 'a social protection facility licence', 'd’une autorisation d’établissement social'), 'suc-khoe-bao-hiem'],
  [L('chứng chỉ hành nghề kiến trúc', 'an architecture practice certificate', 'd’un certificat d’exercice d’architecte'), 'nha-dat-xay-dung'],
  [L('giấy phép sử dụng tần số vô tuyến điện', 'a radio frequency licence', 'd’une licence de fréquences radio'), 'kinh-doanh'],
  [L('giấy chứng nhận đăng ký tàu cá', 'a fishing vessel registration certificate', 'd’un certificat d’immatriculation de navire de pêche'), 'lai-xe-phuong-tien'],
  [L('giấy phép khai thác tài nguyên nước', 'a water abstraction permit', 'd’une autorisation de prélèvement d’eau'), 'nha-dat-xay-dung'],
  [L('chứng chỉ hành nghề dược', 'a pharmacist practice certificate', 'd’un certificat d’exercice de pharmacien'), 'viec-lam'],
  [L('giấy phép tổ chức biểu diễn nghệ thuật', 'a performing arts event permit', 'd’une autorisation de spectacle'), 'kinh-doanh'],
  [L('giấy phép hoạt động du lịch lữ hành', 'a travel agency licence', 'd’une licence d’agence de voyages'), 'kinh-doanh'],
  [L('thẻ hướng dẫn viên du lịch', 'a tour guide card', 'd’une carte de guide touristique'), 'viec-lam'],
  [L('giấy chứng nhận kiểm định xe cơ giới', 'a motor vehicle inspection certificate', 'd’un certificat de contrôle technique'), 'lai-xe-phuong-tien'],
  [L('giấy phép xây dựng có thời hạn', 'a temporary building permit', 'd’un permis de construire temporaire'), 'nha-dat-xay-dung'],
  [L('giấy chứng nhận quyền tác giả', 'a copyright certificate', 'd’un certificat de droit d’auteur'), 'kinh-doanh'],
  [L('văn bằng bảo hộ nhãn hiệu', 'a trademark registration', 'd’un enregistrement de marque'), 'kinh-doanh'],
  [L('giấy phép nhập khẩu hàng hóa', 'an import licence', 'd’une licence d’importation'), 'kinh-doanh'],
  [L('giấy chứng nhận đăng ký đầu tư', 'an investment registration certificate', 'd’un certificat d’enregistrement d’investissement'), 'khoi-nghiep'],
  [L('giấy phép thành lập văn phòng đại diện thương nhân nước ngoài', 'a foreign trader representative office licence', 'd’une licence de bureau de représentation étranger'), 'kinh-doanh'],
  [L('chứng chỉ năng lực hoạt động xây dựng', 'a construction capability certificate', 'd’un certificat de capacité de construction'), 'nha-dat-xay-dung'],
  [L('giấy phép hoạt động điện lực', 'an electricity operation licence', 'd’une licence d’activité électrique'), 'kinh-doanh'],
  [L('giấy phép lưu hành thiết bị y tế', 'a medical device marketing authorisation', 'd’une autorisation de dispositif médical'), 'suc-khoe-bao-hiem'],
  [L('giấy chứng nhận cơ sở chăn nuôi', 'a livestock farm certificate', 'd’un certificat d’élevage'), 'kinh-doanh'],
  [L('giấy phép vận chuyển hàng nguy hiểm', 'a dangerous goods transport permit', 'd’une autorisation de transport de matières dangereuses'), 'lai-xe-phuong-tien'],
  [L('thẻ nhà báo', 'a press card', 'd’une carte de presse'), 'viec-lam'],
  [L('giấy phép hoạt động trường mầm non tư thục', 'a private kindergarten licence', 'd’une autorisation d’école maternelle privée'), 'sinh-con'],
  [L('giấy chứng nhận nuôi con nuôi', 'an adoption certificate', 'd’un certificat d’adoption'), 'sinh-con'],
  [L('giấy chứng nhận quyền sở hữu công trình', 'a certificate of ownership of works', 'd’un certificat de propriété d’ouvrage'), 'nha-dat-xay-dung'],
  [L('giấy phép đào tạo lái xe', 'a driving school licence', 'd’une licence d’auto-école'), 'lai-xe-phuong-tien'],
  [L('chứng nhận hợp quy sản phẩm', 'a product conformity certificate', 'd’un certificat de conformité'), 'kinh-doanh'],
  [L('giấy phép kinh doanh dịch vụ bảo vệ', 'a security services licence', 'd’une licence de services de sécurité'), 'kinh-doanh'],
  [L('giấy xác nhận ưu đãi người có công', 'a certificate of benefits for people with meritorious service', 'd’une attestation de droits des personnes méritantes'), 'suc-khoe-bao-hiem'],
  [L('giấy phép hoạt động thể thao chuyên nghiệp', 'a professional sports licence', 'd’une licence de sport professionnel'), 'kinh-doanh'],
  [L('giấy chứng nhận đủ điều kiện kinh doanh xăng dầu', 'a fuel retail certificate', 'd’un certificat de vente de carburant'), 'kinh-doanh'],
]

const qualifiers = [
  L('cho tổ chức', 'for organisations', 'pour les organisations'),
  L('cho cá nhân', 'for individuals', 'pour les particuliers'),
  L('có yếu tố nước ngoài', 'with a foreign element', 'avec un élément d’extranéité'),
  L('tại cấp tỉnh', 'at provincial level', 'au niveau provincial'),
  L('tại cấp trung ương', 'at national level', 'au niveau national'),
  L('trong khu công nghiệp', 'in industrial zones', 'dans les zones industrielles'),
  L('trong khu kinh tế', 'in economic zones', 'dans les zones économiques'),
  L('cho doanh nghiệp nhỏ và vừa', 'for small and medium enterprises', 'pour les PME'),
  L('cho hợp tác xã', 'for cooperatives', 'pour les coopératives'),
  L('cho đơn vị sự nghiệp công lập', 'for public service units', 'pour les établissements publics'),
  L('theo thủ tục rút gọn', 'under the simplified procedure', 'selon la procédure simplifiée'),
  L('do thay đổi thông tin', 'after a change of details', 'après un changement d’informations'),
  L('do bị mất, hư hỏng', 'after loss or damage', 'après perte ou détérioration'),
  L('khi hết hạn', 'on expiry', 'à l’expiration'),
  L('cho cơ sở mới thành lập', 'for newly founded establishments', 'pour les établissements nouvellement créés'),
]

export const scaleTarget = 6000

export async function seedScale(target = scaleTarget): Promise<number> {
  const config = loadConfig()
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    await migrate(database)
    const agencies = await loadAgencies()
    const { seeding } = createServices(config, {
      database, handlers: agencies.handlers, logger: pino({ level: 'silent' }), auditKey: loadAuditKey(config),
      mailer: createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir }),
    })
    await seeding.catalogue(agencies.source)
    const owners = agencies.source.agencies.map((a) => a.content.agency)
    const real = agencies.source.agencies.reduce((n, a) => n + a.content.services.length, 0)
    const generated: Array<{ service: ServiceManifest, agency: (typeof owners)[number] }> = []
    for (let n = 0; n < Math.max(0, target - real); n++) {
      const action = actions[n % actions.length]!
      const [subject, lifeEvent] = subjects[Math.floor(n / actions.length) % subjects.length]!
      const qualifier = qualifiers[Math.floor(n / (actions.length * subjects.length)) % qualifiers.length]!
      const name = L(`${action.vi} ${subject.vi} ${qualifier.vi}`, `${action.en} ${subject.en} ${qualifier.en}`,
        `${action.fr} ${subject.fr} ${qualifier.fr}`)
      const agency = owners[n % owners.length]!
      generated.push({ agency, service: {
        id: `tt-${String(n + 1).padStart(5, '0')}`,
        name,
        description: L(`Thủ tục ${name.vi}, do ${agency.name.vi} giải quyết.`, `${name.en}, handled by ${agency.name.en}.`,
          `${name.fr}, traitée par ${agency.name.fr}.`),
        documents: [
          L('Đơn đề nghị theo mẫu', 'Application on the official form', 'Demande sur formulaire officiel'),
          L('Giấy tờ chứng minh đủ điều kiện', 'Proof of meeting the conditions', 'Justificatifs des conditions remplies'),
        ],
        fee: { vnd: (n % 7) * 50000 },
        processingDays: 3 + (n % 20),
        onlineLevel: n % 3 === 0 ? 'partial' : 'full',
        applicants: n % 2 === 0 ? ['business'] : ['citizen', 'business'],
        lifeEvents: [lifeEvent],
        popularity: n % 10,
        sourceNote: L('Thủ tục giả lập do npm run seed:scale tạo ra để kiểm thử tải; không phải thủ tục thật.', 'A made-up service created by npm run seed:scale for load tests; not a real service.', 'Démarche fictive créée par npm run seed:scale pour les tests de charge ; ce n’est pas une vraie démarche.'),
      } })
    }
    return await seeding.extraServices(generated)
  } finally {
    await database.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now()
  const total = await seedScale()
  process.stdout.write(`catalogue holds ${total} services (${Date.now() - started} ms)\n`)
}
