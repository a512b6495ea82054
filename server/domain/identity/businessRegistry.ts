import type { EnterpriseRow, IdentityRepository } from '../../db/identityRepository.js'
import { tokens } from '../catalogue/textFolding.js'

/** Names compare without case, tone marks or punctuation. */
const foldName = (name: string) => tokens(name).join(' ')

export interface RegisteredEnterprise {
  code: string
  name: string
  representativeCitizenId: string
  representativeName: string
  address: string
  status: 'active' | 'suspended' | 'dissolved'
}

/**
 * The business registry (the national enterprise registration database in production).
 * The portal only asks two things of it; a local registry in the portal's database
 * answers them in development and tests.
 */
export interface BusinessRegistry {
  find(code: string): Promise<RegisteredEnterprise | undefined>
  /** A live enterprise already registered under this name (case and tone marks ignored). */
  findByName(name: string): Promise<RegisteredEnterprise | undefined>
}

const fromRow = (row: EnterpriseRow): RegisteredEnterprise => ({
  code: row.code, name: row.name, representativeCitizenId: row.representative_citizen_id,
  representativeName: row.representative_name, address: row.address, status: row.status,
})

// Demo enterprises; their representatives are the development identity provider's demo
// people (test/support/identityProvider.ts), so a national sign-in can represent them.
const seed: Array<Omit<EnterpriseRow, 'name_folded'>> = [
  { code: '0101234565', name: 'Công ty TNHH Sen Vàng', representative_citizen_id: '001085012345', representative_name: 'Nguyễn Văn An', address: '12 Phố Huế, Hai Bà Trưng, Hà Nội', status: 'active', registered_on: '2015-03-02' },
  { code: '0101234565-001', name: 'Chi nhánh Công ty TNHH Sen Vàng tại Hải Phòng', representative_citizen_id: '001085012345', representative_name: 'Nguyễn Văn An', address: '8 Lạch Tray, Ngô Quyền, Hải Phòng', status: 'active', registered_on: '2019-07-15' },
  { code: '0312345673', name: 'Công ty Cổ phần Mekong Xanh', representative_citizen_id: '079301004567', representative_name: 'Đặng Thị Hoa', address: '45 Nguyễn Huệ, Quận 1, TP. Hồ Chí Minh', status: 'active', registered_on: '2022-11-20' },
  { code: '0401234566', name: 'Công ty TNHH Biển Đà Nẵng', representative_citizen_id: '048190007890', representative_name: 'Lê Minh Châu', address: '3 Bạch Đằng, Hải Châu, Đà Nẵng', status: 'active', registered_on: '2018-05-09' },
  { code: '0791003219', name: 'Công ty TNHH Phở Sài Gòn', representative_citizen_id: '079088001122', representative_name: 'Võ Văn Đức', address: '210 Lê Lợi, Quận 1, TP. Hồ Chí Minh', status: 'active', registered_on: '2010-01-12' },
  { code: '0201987650', name: 'Công ty TNHH Cảng Xanh', representative_citizen_id: '001085012345', representative_name: 'Nguyễn Văn An', address: '1 Điện Biên Phủ, Hồng Bàng, Hải Phòng', status: 'dissolved', registered_on: '2005-09-01' },
]

/** Puts the demo enterprises in the local registry (the start sequence does, before anything asks it). */
export async function seedDemoEnterprises(repo: IdentityRepository): Promise<void> {
  await repo.seedEnterprises(seed.map((row) => ({ ...row, name_folded: foldName(row.name) })))
}

/** The registry kept in the portal's database (seeded by seedDemoEnterprises). */
export function createLocalBusinessRegistry(repo: IdentityRepository): BusinessRegistry {
  return {
    async find(code) {
      const row = await repo.findEnterprise(code)
      return row && fromRow(row)
    },
    async findByName(name) {
      const row = await repo.findEnterpriseByFoldedName(foldName(name))
      return row && fromRow(row)
    },
  }
}
