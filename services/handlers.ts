// The in-process handlers, by agency. An agency without one here has its applications
// accepted into the portal's officer console (its officers work them at /agency).
import type { AgencyHandler } from '../server/domain/routing/handlerContract.js'
import { congAnCapXa } from './cong-an-cap-xa/handler.js'
import { soTuPhap } from './so-tu-phap/handler.js'
import { ubndCapXa } from './ubnd-cap-xa/handler.js'

export const inProcessHandlers: Record<string, AgencyHandler> = {
  'ubnd-cap-xa': ubndCapXa,
  'so-tu-phap': soTuPhap,
  'cong-an-cap-xa': congAnCapXa,
}
