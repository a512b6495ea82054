import type { Enterprise } from './model.js'
import type { IdentityRepository } from './repository.js'
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

const registered = (e: Enterprise): RegisteredEnterprise => ({
  code: e.code, name: e.name, representativeCitizenId: e.representativeCitizenId,
  representativeName: e.representativeName, address: e.address, status: e.status,
})

// Demo enterprises; their representatives are the development identity provider's demo
// people (test/support/identityProvider.ts), so a national sign-in can represent them.
const seed: Array<Omit<Enterprise, 'nameFolded'>> = [
  { code: '0101234565', name: 'Công ty TNHH Sen Vàng', representativeCitizenId: '001085012345', representativeName: 'Nguyễn Văn An', address: '12 Phố Huế, Hai Bà Trưng, Hà Nội', status: 'active', registeredOn: '2015-03-02' },
  { code: '0101234565-001', name: 'Chi nhánh Công ty TNHH Sen Vàng tại Hải Phòng', representativeCitizenId: '001085012345', representativeName: 'Nguyễn Văn An', address: '8 Lạch Tray, Ngô Quyền, Hải Phòng', status: 'active', registeredOn: '2019-07-15' },
  { code: '0312345673', name: 'Công ty Cổ phần Mekong Xanh', representativeCitizenId: '079301004567', representativeName: 'Đặng Thị Hoa', address: '45 Nguyễn Huệ, Quận 1, TP. Hồ Chí Minh', status: 'active', registeredOn: '2022-11-20' },
  { code: '0401234566', name: 'Công ty TNHH Biển Đà Nẵng', representativeCitizenId: '048190007890', representativeName: 'Lê Minh Châu', address: '3 Bạch Đằng, Hải Châu, Đà Nẵng', status: 'active', registeredOn: '2018-05-09' },
  { code: '0791003219', name: 'Công ty TNHH Phở Sài Gòn', representativeCitizenId: '079088001122', representativeName: 'Võ Văn Đức', address: '210 Lê Lợi, Quận 1, TP. Hồ Chí Minh', status: 'active', registeredOn: '2010-01-12' },
  { code: '0201987650', name: 'Công ty TNHH Cảng Xanh', representativeCitizenId: '001085012345', representativeName: 'Nguyễn Văn An', address: '1 Điện Biên Phủ, Hồng Bàng, Hải Phòng', status: 'dissolved', registeredOn: '2005-09-01' },
]

/** Puts the demo enterprises in the local registry (the start sequence does, before anything asks it). */
export async function seedDemoEnterprises(repo: IdentityRepository): Promise<void> {
  await repo.seedEnterprises(seed.map((e) => ({ ...e, nameFolded: foldName(e.name) })))
}

/** The registry kept in the portal's database (seeded by seedDemoEnterprises). */
export function createLocalBusinessRegistry(repo: IdentityRepository): BusinessRegistry {
  return {
    async find(code) {
      const row = await repo.findEnterprise(code)
      return row && registered(row)
    },
    async findByName(name) {
      const row = await repo.findEnterpriseByFoldedName(foldName(name))
      return row && registered(row)
    },
  }
}
