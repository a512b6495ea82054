// Vietnam's official days off and swapped working days for the civil service, year by
// year: the data the working-day calendar reads (./workingDays.ts). Reviewed like the
// catalogue: every row cites the decision or notice it comes from. Weekdays that are off
// are listed (the holidays themselves, the days in lieu of a holiday on a weekend, the
// days swapped off); weekend days that are worked are listed as 'work'. Saturdays and
// Sundays not listed are off; weekdays not listed are working days.
//
// The Labour Code 2019 (Art. 112) gives 11 days: 1/1, five days of Tết, the Hùng Kings'
// day (10/3 lunar), 30/4, 1/5, and 2/9 with one day before or after it; a holiday on a
// weekly rest day is made up on the next working day (Art. 111(3)). Each year the
// Government decides which Tết days, which second National Day, and any swap.

export type Holiday = 'newYear' | 'tet' | 'hungKings' | 'reunification' | 'labourDay' | 'nationalDay' | 'inLieu' | 'swappedOff' | 'swappedWork'

export interface DayOffRow {
  date: string
  kind: 'off' | 'work'
  holiday: Holiday
  /** the decision or notice the row comes from */
  source: string
  /** true until the Government's decision for that year is out: the statutory days as the law gives them */
  provisional?: true
}

const labourCode = 'Bộ luật Lao động 2019, Điều 112'
const off = (date: string, holiday: Holiday, source: string, provisional?: true): DayOffRow =>
  ({ date, kind: 'off', holiday, source, ...(provisional ? { provisional } : {}) })
const work = (date: string, source: string): DayOffRow => ({ date, kind: 'work', holiday: 'swappedWork', source })

const notice2024 = 'Thông báo 5015/TB-LĐTBXH ngày 22/11/2023 (Văn bản 8662/VPCP-KGVX ngày 03/11/2023)'
const swap2024 = 'Văn bản 2450/VPCP-KGVX ngày 12/4/2024'
const notice2025 = 'Văn bản 8726/VPCP-KGVX ngày 26/11/2024'
const newYear2026 = 'Văn bản 12729/VPCP-KGVX ngày 25/12/2025'
const notice2026 = 'Thông báo 9441/TB-BNV ngày 16/10/2025'
const pending2027 = `${labourCode}; lịch nghỉ năm 2027 của Chính phủ chưa ban hành`

export const daysOff: Record<number, DayOffRow[]> = {
  2024: [
    off('2024-01-01', 'newYear', labourCode),
    // Tết Giáp Thìn: 8/2 (29 Chạp) to 14/2 (mùng 5), 10–11/2 made up on 13–14/2.
    off('2024-02-08', 'tet', notice2024), off('2024-02-09', 'tet', notice2024), off('2024-02-12', 'tet', notice2024),
    off('2024-02-13', 'inLieu', notice2024), off('2024-02-14', 'inLieu', notice2024),
    off('2024-04-18', 'hungKings', labourCode),
    // Five days from 27/4 to 1/5: Monday 29/4 swapped with Saturday 4/5.
    off('2024-04-29', 'swappedOff', swap2024), work('2024-05-04', swap2024),
    off('2024-04-30', 'reunification', labourCode), off('2024-05-01', 'labourDay', labourCode),
    off('2024-09-02', 'nationalDay', notice2024), off('2024-09-03', 'nationalDay', notice2024),
  ],
  2025: [
    off('2025-01-01', 'newYear', labourCode),
    // Tết Ất Tỵ: 27/1 (28 Chạp) to 31/1 (mùng 3), nine days with the weekends around.
    ...['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31'].map((d) => off(d, 'tet', notice2025)),
    off('2025-04-07', 'hungKings', labourCode),
    off('2025-04-30', 'reunification', labourCode), off('2025-05-01', 'labourDay', labourCode),
    // Five days from 30/4 to 4/5: Friday 2/5 swapped with Saturday 26/4.
    off('2025-05-02', 'swappedOff', notice2025), work('2025-04-26', notice2025),
    off('2025-09-01', 'nationalDay', notice2025), off('2025-09-02', 'nationalDay', notice2025),
  ],
  2026: [
    // Four days from 1/1 to 4/1: Friday 2/1 swapped with Saturday 10/1.
    off('2026-01-01', 'newYear', labourCode), off('2026-01-02', 'swappedOff', newYear2026), work('2026-01-10', newYear2026),
    // Tết Bính Ngọ: 16/2 (29 Chạp) to 20/2 (mùng 4), nine days from 14/2 to 22/2.
    ...['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'].map((d) => off(d, 'tet', notice2026)),
    // The Hùng Kings' day falls on Sunday 26/4: made up on Monday 27/4.
    off('2026-04-27', 'inLieu', labourCode),
    off('2026-04-30', 'reunification', labourCode), off('2026-05-01', 'labourDay', labourCode),
    // Five days from 29/8 to 2/9: Monday 31/8 swapped with Saturday 22/8.
    off('2026-08-31', 'swappedOff', notice2026), work('2026-08-22', notice2026),
    off('2026-09-01', 'nationalDay', notice2026), off('2026-09-02', 'nationalDay', notice2026),
  ],
  2027: [
    off('2027-01-01', 'newYear', labourCode),
    // Tết Đinh Mùi (mùng 1 is Saturday 6/2): one day before and four after, the weekend
    // ones made up after, until the Government decides.
    off('2027-02-05', 'tet', pending2027, true), off('2027-02-08', 'tet', pending2027, true), off('2027-02-09', 'tet', pending2027, true),
    off('2027-02-10', 'inLieu', pending2027, true), off('2027-02-11', 'inLieu', pending2027, true),
    off('2027-04-16', 'hungKings', labourCode),
    // 1/5 falls on a Saturday: made up on Monday 3/5.
    off('2027-04-30', 'reunification', labourCode), off('2027-05-03', 'inLieu', labourCode),
    off('2027-09-02', 'nationalDay', labourCode), off('2027-09-03', 'nationalDay', pending2027, true),
  ],
}
