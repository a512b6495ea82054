// A year of made-up history for a portal outside production, so that the statistics,
// the service index and the estimates show something on first start: applications
// started, submitted and received, information asked for and given, late ones with their
// apology, withdrawals, decisions, and answers to the satisfaction question. Each is
// simulated on the working-day calendar as the lifecycle would have moved it; what a real
// application also leaves behind (answers, documents, audit entries, emails, deliveries,
// result documents) is not made up. Never run in production (server/start.ts, the script).
import { addWorkingDays, isWorkingDay, localDate, workingDaysBetween, addDays } from '../calendar/workingDays.js'
import type { ApplicationStatus } from '../applications/model.js'

export interface DemoService {
  id: string
  agencyId: string
  version: number
  processingDays: number | null
  popularity: number
}

export interface DemoEvent {
  at: string
  actorKind: 'citizen' | 'officer' | 'system'
  from: ApplicationStatus | null
  to: ApplicationStatus
  message: string | null
  kind: 'apology' | null
  newDueOn: string | null
}

export interface DemoApplication {
  service: DemoService
  /** which of the made-up people applied */
  applicant: number
  status: ApplicationStatus
  createdAt: string
  submittedAt: string | null
  decidedAt: string | null
  dueOn: string | null
  clockStoppedOn: string | null
  events: DemoEvent[]
  rating: { score: number | null, comment: string | null, at: string } | null
}

/** A small seeded generator (mulberry32), so two runs with one seed make the same history. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const comments = [
  'Cán bộ hướng dẫn rất tận tình.', 'Nhanh hơn tôi nghĩ.', 'Phải bổ sung giấy tờ hai lần, hơi mất thời gian.',
  'Trả kết quả trễ hẹn.', 'Biểu mẫu dễ điền.', 'Không biết hồ sơ đang ở bước nào trong mấy ngày đầu.', 'Rất hài lòng.',
]
const rejections = ['Hồ sơ chưa đủ điều kiện theo quy định.', 'Thông tin kê khai không khớp với cơ sở dữ liệu.']

/** An instant on a day in Vietnam, between 8:00 and 17:00 there (UTC+7, no daylight saving). */
function during(day: string, random: () => number): string {
  const minutes = 60 + Math.floor(random() * 540) // 01:00–10:00 UTC
  return `${day}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00.000Z`
}

const later = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString()

export interface DemoOptions {
  /** applications started on an average working day (a quarter of that on other days) */
  perDay?: number
  days?: number
  seed?: number
}

/** The history, oldest first, up to `now`: what is still in progress at `now` stays so. */
export function* demoHistory(services: DemoService[], people: number, now: Date, options: DemoOptions = {}): Generator<DemoApplication> {
  const random = seededRandom(options.seed ?? 766)
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
  const totalWeight = services.reduce((sum, s) => sum + Math.max(1, s.popularity), 0)
  const weighted = () => {
    let r = random() * totalWeight
    for (const s of services) if ((r -= Math.max(1, s.popularity)) < 0) return s
    return services[services.length - 1]!
  }
  const nowIso = now.toISOString()
  const today = localDate(now)
  const days = options.days ?? 365
  const perDay = options.perDay ?? 12
  for (let day = addDays(today, -days); day <= today; day = addDays(day, 1)) {
    const expected = perDay * (isWorkingDay(day) ? 1 : 0.25)
    const count = Math.max(0, Math.round(expected + (random() - 0.5) * expected))
    for (let i = 0; i < count; i++) {
      const app = simulate(weighted(), day)
      if (app) yield app
    }
  }

  function simulate(service: DemoService, day: string): DemoApplication | undefined {
    const createdAt = during(day, random)
    if (createdAt > nowIso) return undefined
    const app: DemoApplication = {
      service, applicant: between(0, people - 1), status: 'draft', createdAt,
      submittedAt: null, decidedAt: null, dueOn: null, clockStoppedOn: null, events: [], rating: null,
    }
    if (random() < 0.08) return app // started, never submitted
    const events: DemoEvent[] = []
    const move = (at: string, actorKind: DemoEvent['actorKind'], to: ApplicationStatus, message: string | null = null) => {
      if (at > nowIso) return false
      events.push({ at, actorKind, from: app.status, to, message, kind: null, newDueOn: null })
      app.status = to
      return true
    }
    const submittedAt = later(createdAt, between(5, 60))
    if (!move(submittedAt, 'citizen', 'submitted')) return app
    app.submittedAt = submittedAt
    app.events = events
    const receivedAt = later(submittedAt, between(1, 3))
    if (!move(receivedAt, 'system', 'received')) return app
    const received = localDate(new Date(receivedAt))
    const statutory = service.processingDays ?? 5
    app.dueOn = addWorkingDays(received, statutory)

    // How many working days it takes the agency, its waits for the applicant apart.
    const r = random()
    const work = r < 0.6 ? Math.round(statutory * (0.2 + random() * 0.7)) : r < 0.9 ? statutory : statutory + between(1, Math.max(2, Math.ceil(statutory / 2)))
    const withdraws = random() < 0.03
    const reviewDay = addWorkingDays(received, Math.min(1, work))
    if (!move(during(reviewDay, random), 'officer', 'in_review')) return app
    let stood = 0
    if (!withdraws && work >= 2 && random() < 0.15) {
      const stopDay = addWorkingDays(received, 1)
      if (!move(`${stopDay}T10:15:00.000Z`, 'officer', 'info_requested', 'Đề nghị bổ sung bản sao giấy tờ còn thiếu.')) return app
      app.clockStoppedOn = stopDay
      const restartDay = addDays(stopDay, between(1, 10))
      if (!move(during(restartDay, random), 'citizen', 'in_review', 'Tôi đã gửi bổ sung giấy tờ.')) return app
      app.clockStoppedOn = null
      stood = workingDaysBetween(stopDay, restartDay)
      app.dueOn = addWorkingDays(app.dueOn, stood)
    }
    if (withdraws) {
      const at = during(addWorkingDays(received, between(1, Math.max(1, statutory))), random)
      if (move(at, 'citizen', 'withdrawn', 'Tôi không còn cần thủ tục này.')) app.decidedAt = at
      return app
    }
    const decisionDay = addWorkingDays(received, work + stood)
    const apologyDay = addWorkingDays(addDays(app.dueOn, 1), 0)
    if (decisionDay > app.dueOn && apologyDay < decisionDay && random() < 0.7) {
      const at = `${apologyDay}T08:00:00.000Z`
      if (at > nowIso) return app
      events.push({ at, actorKind: 'officer', from: app.status, to: app.status, message: 'Xin lỗi vì trễ hẹn; hồ sơ sẽ có kết quả vào ngày hẹn mới.', kind: 'apology', newDueOn: decisionDay })
      app.dueOn = decisionDay
    }
    const decidedAt = `${decisionDay}T10:30:00.000Z`
    const approved = random() < 0.88
    if (!move(decidedAt, 'officer', approved ? 'approved' : 'rejected', approved ? null : pick(rejections))) return app
    app.decidedAt = decidedAt
    const late = events.some((e) => e.kind === 'apology') || decisionDay > app.dueOn
    if (random() < 0.4) {
      const at = during(addDays(decisionDay, between(0, 3)), random)
      if (at <= nowIso) {
        const declined = random() < 0.12
        const s = random()
        // Shares of 5, 4, 3, 2 (the rest 1): a late decision is rated lower.
        const shares = late ? [0.15, 0.4, 0.65, 0.85] : [0.5, 0.8, 0.92, 0.97]
        const score = declined ? null : 5 - shares.filter((share) => s >= share).length
        app.rating = { score, comment: !declined && random() < 0.25 ? pick(comments) : null, at }
      }
    }
    return app
  }
}
