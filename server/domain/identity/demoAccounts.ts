import type { Role } from './accountService.js'

// Listed in the README. Seeded only outside production.
export const demoPassword = 'demo dịch vụ công 2026'

export const demoAccounts: Array<{ email: string, fullName: string, role: Role, agencyId?: string, password: string }> = [
  { email: 'citizen@demo.dichvucong.invalid', fullName: 'Nguyễn Văn An', role: 'citizen', password: demoPassword },
  { email: 'officer@demo.dichvucong.invalid', fullName: 'Trần Thị Bình', role: 'officer', agencyId: 'ubnd-cap-xa', password: demoPassword },
  { email: 'auditor@demo.dichvucong.invalid', fullName: 'Lê Văn Cường', role: 'auditor', password: demoPassword },
  { email: 'admin@demo.dichvucong.invalid', fullName: 'Phạm Thị Dung', role: 'admin', password: demoPassword },
  { email: 'agency-admin@demo.dichvucong.invalid', fullName: 'Hoàng Văn Em', role: 'agency_admin', agencyId: 'ubnd-cap-xa', password: demoPassword },
]
