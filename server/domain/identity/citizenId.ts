// Citizen ID (căn cước, CCCD): 12 digits. Digits 1–3: the province where the birth was
// registered; digit 4: century and gender (0/1 = 1900s male/female, 2/3 = 2000s,
// 4/5 = 2100s, …); digits 5–6: the last two digits of the year of birth; 7–12 random.
// Province codes: Circular 07/2016/TT-BCA (the 63 provinces before the 2025 mergers;
// IDs keep the code of the province at registration).
export const provinceCodes: ReadonlyMap<string, string> = new Map([
  ['001', 'Hà Nội'], ['002', 'Hà Giang'], ['004', 'Cao Bằng'], ['006', 'Bắc Kạn'], ['008', 'Tuyên Quang'],
  ['010', 'Lào Cai'], ['011', 'Điện Biên'], ['012', 'Lai Châu'], ['014', 'Sơn La'], ['015', 'Yên Bái'],
  ['017', 'Hòa Bình'], ['019', 'Thái Nguyên'], ['020', 'Lạng Sơn'], ['022', 'Quảng Ninh'], ['024', 'Bắc Giang'],
  ['025', 'Phú Thọ'], ['026', 'Vĩnh Phúc'], ['027', 'Bắc Ninh'], ['030', 'Hải Dương'], ['031', 'Hải Phòng'],
  ['033', 'Hưng Yên'], ['034', 'Thái Bình'], ['035', 'Hà Nam'], ['036', 'Nam Định'], ['037', 'Ninh Bình'],
  ['038', 'Thanh Hóa'], ['040', 'Nghệ An'], ['042', 'Hà Tĩnh'], ['044', 'Quảng Bình'], ['045', 'Quảng Trị'],
  ['046', 'Thừa Thiên Huế'], ['048', 'Đà Nẵng'], ['049', 'Quảng Nam'], ['051', 'Quảng Ngãi'], ['052', 'Bình Định'],
  ['054', 'Phú Yên'], ['056', 'Khánh Hòa'], ['058', 'Ninh Thuận'], ['060', 'Bình Thuận'], ['062', 'Kon Tum'],
  ['064', 'Gia Lai'], ['066', 'Đắk Lắk'], ['067', 'Đắk Nông'], ['068', 'Lâm Đồng'], ['070', 'Bình Phước'],
  ['072', 'Tây Ninh'], ['074', 'Bình Dương'], ['075', 'Đồng Nai'], ['077', 'Bà Rịa – Vũng Tàu'], ['079', 'Hồ Chí Minh'],
  ['080', 'Long An'], ['082', 'Tiền Giang'], ['083', 'Bến Tre'], ['084', 'Trà Vinh'], ['086', 'Vĩnh Long'],
  ['087', 'Đồng Tháp'], ['089', 'An Giang'], ['091', 'Kiên Giang'], ['092', 'Cần Thơ'], ['093', 'Hậu Giang'],
  ['094', 'Sóc Trăng'], ['095', 'Bạc Liêu'], ['096', 'Cà Mau'],
])

export type Gender = 'male' | 'female'
export type CitizenIdProblem = 'format' | 'province' | 'birthYear' | 'gender'

/** What the number itself says: province, year of birth, gender. */
export function readCitizenId(id: string): { province: string, birthYear: number, gender: Gender } | undefined {
  if (!/^\d{12}$/.test(id)) return undefined
  const province = provinceCodes.get(id.slice(0, 3))
  if (!province) return undefined
  const marker = Number(id[3])
  const century = 1900 + Math.floor(marker / 2) * 100
  return { province, birthYear: century + Number(id.slice(4, 6)), gender: marker % 2 === 0 ? 'male' : 'female' }
}

/**
 * Checks a citizen ID, and when the person's birthdate (YYYY-MM-DD) or gender is known,
 * that the number agrees with them. Returns the first problem, or undefined.
 */
export function citizenIdProblem(id: string, person: { birthdate?: string | undefined, gender?: Gender | undefined } = {}): CitizenIdProblem | undefined {
  if (!/^\d{12}$/.test(id)) return 'format'
  const read = readCitizenId(id)
  if (!read) return 'province'
  if (person.birthdate && Number(person.birthdate.slice(0, 4)) !== read.birthYear) return 'birthYear'
  if (person.gender && person.gender !== read.gender) return 'gender'
  return undefined
}
