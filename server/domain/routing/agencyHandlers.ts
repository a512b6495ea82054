import type { AgencyHandler } from './handlerContract.js'
import { createRemoteHandler, defaultRemoteOptions, type RemoteEndpoint, type RemoteOptions } from './remoteHandler.js'

/**
 * Which handler serves each agency: its registered endpoint when it has one (settings,
 * until the Agency API registers them), else its in-process handler, else the officer
 * console (the dispatcher's default). Targets name the endpoint in the delivery log.
 */
export function agencyHandlers(inProcess: Record<string, AgencyHandler>, endpoints: Record<string, RemoteEndpoint>, options: Partial<RemoteOptions> = {}) {
  const remote = Object.fromEntries(Object.entries(endpoints).map(([agency, endpoint]) =>
    [agency, createRemoteHandler(endpoint, { ...defaultRemoteOptions, ...options })]))
  return {
    handlers: { ...inProcess, ...remote },
    targets: Object.fromEntries(Object.entries(endpoints).map(([agency, endpoint]) => [agency, endpoint.url])),
  }
}
