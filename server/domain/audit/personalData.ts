// What the portal did with a person's data, for the person: every read of it
// (/account/data-use), and everything it holds about them as one archive behind a
// single-use link. Both read the same audit trail the auditors and the public log see.
import type { Readable } from 'node:stream'
import type { ApplicationService } from '../applications/applicationService.js'
import type { Application } from '../applications/model.js'
import type { RequestContext, AccountService } from '../identity/accountService.js'
import type { User } from '../identity/model.js'
import type { AuditLog } from '../ports.js'
import { dataUseActions } from './actions.js'
import { keyIdOf, type AuditorRepository, type EventRow, type Names } from './auditorSearch.js'

export const dataUsePageSize = 50

const safeName = (name: string) => name.replace(/[\\/\0]/g, '_').replace(/^\.+/, '_')

export interface ArchiveFile { name: string, json?: unknown, open?: () => Readable }

export interface PersonalDataDeps {
  repo: AuditorRepository
  audit: AuditLog
  accounts: AccountService
  applications: ApplicationService
  /** the applicant's answer to "how satisfied are you" for an application, if any */
  satisfactionOf: (app: Application) => Promise<{ score: number | null, comment: string | null, answeredAt: string } | undefined>
}

export function createPersonalData(deps: PersonalDataDeps) {
  const { repo, audit, accounts, applications } = deps

  async function withNames(events: EventRow[]): Promise<{ events: EventRow[], names: Names }> {
    const ids = { people: new Set<string>(), agencies: new Set<string>(), keys: new Set<string>(), services: new Set<string>() }
    for (const e of events) {
      if (e.actorId) { ids.people.add(e.actorId); ids.keys.add(keyIdOf(e.actorId)!) }
      if (e.agencyId) ids.agencies.add(e.agencyId)
      if (typeof e.detail['service'] === 'string') ids.services.add(e.detail['service'])
    }
    const names = await repo.namesOf({ people: [...ids.people], agencies: [...ids.agencies], keys: [...ids.keys], services: [...ids.services] })
    return { events, names }
  }

  async function found(userId: string): Promise<User> {
    const user = await accounts.findUser(userId)
    if (!user) throw new Error(`no account ${userId}`)
    return user
  }

  return {
    /** The reads of this person's data, newest first: by officers, agency systems, prefills, registry lookups, auditors. */
    async dataUse(userId: string, before?: number) {
      const rows = await repo.events({ subject: userId, actions: dataUseActions }, { before, limit: dataUsePageSize + 1 })
      const shown = rows.slice(0, dataUsePageSize)
      return { ...(await withNames(shown)), ...(rows.length > dataUsePageSize ? { older: shown.at(-1)!.id } : {}) }
    },

    /** A single-use link's token for the archive; asking is recorded. */
    async requestArchive(userId: string, ctx: RequestContext): Promise<string> {
      const user = await found(userId)
      const token = await accounts.downloadToken(user)
      await audit.record({ action: 'data.export-requested', actorId: user.id, subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId })
      return token
    },

    /**
     * The archive's files, once the token is used up (undefined for a used, expired or
     * someone else's token): the profile, each application with its answers, timeline
     * and documents, the messages, the sign-in history and the data use. Recorded as a
     * read of the person's data by the person.
     */
    async openArchive(userId: string, token: string, ctx: RequestContext): Promise<ArchiveFile[] | undefined> {
      const user = await found(userId)
      if (!(await accounts.takeDownloadToken(user, token))) return undefined
      await audit.record({ action: 'data.exported', actorId: user.id, subjectId: user.id, ip: ctx.ip, requestId: ctx.requestId, detail: { by: 'self' } })
      const { passwordHash: _secret, failedSignIns: _f, lockedUntil: _l, ...profile } = user
      const files: ArchiveFile[] = [{ name: 'profile.json', json: profile }]
      for (const summary of await applications.list(user.id)) {
        const app = await applications.ofApplicant(user.id, summary.reference)
        if (!app) continue
        const documents = await applications.documents(app)
        const events = await applications.events(app)
        const folder = `applications/${app.reference}`
        files.push({
          name: `${folder}/application.json`,
          json: {
            reference: app.reference, service: { id: app.serviceId, name: summary.serviceName }, status: app.status, onBehalfOf: app.onBehalfOf,
            onBehalfOfName: app.onBehalfOfName, answers: app.answers, profile: app.profile, createdAt: app.createdAt, submittedAt: app.submittedAt,
            decidedAt: app.decidedAt, agencyReference: app.agencyReference,
            timeline: events.map((e) => ({ at: e.at, by: e.actorKind, from: e.fromStatus, to: e.toStatus, message: e.message })),
            documents: documents.map((d) => ({ file: `documents/${d.id}-${safeName(d.filename)}`, contentType: d.contentType, size: d.size, sha256: d.sha256, at: d.createdAt })),
            satisfaction: (await deps.satisfactionOf(app)) ?? null,
          },
        })
        for (const d of documents) files.push({ name: `${folder}/documents/${d.id}-${safeName(d.filename)}`, open: () => applications.openDocument(d) })
      }
      files.push({ name: 'messages.json', json: await applications.inbox(user.id) })
      // The whole trail about them: sign-ins, account changes, and every use of their data.
      const trail: EventRow[] = []
      for (let before: number | undefined; ;) {
        const rows = await repo.events({ subject: user.id }, { before, limit: 500 })
        trail.push(...rows)
        if (rows.length < 500) break
        before = rows.at(-1)!.id
      }
      const { names } = await withNames(trail)
      const entry = (e: EventRow) => ({
        at: e.at, action: e.action, by: e.actorId === user.id ? 'self' : names.people.get(e.actorId ?? '')?.fullName ?? names.keys.get(keyIdOf(e.actorId) ?? '')?.name ?? e.actorId,
        agency: e.agencyId && (names.agencies.get(e.agencyId)?.vi ?? e.agencyId), reference: e.reference, ip: e.ip, detail: e.detail,
        publicLogPlace: e.leafIndex,
      })
      const isUse = (e: EventRow) => (dataUseActions as readonly string[]).includes(e.action)
      files.push({ name: 'sign-ins-and-account.json', json: trail.filter((e) => !isUse(e)).map(entry) })
      files.push({ name: 'data-use.json', json: trail.filter(isUse).map(entry) })
      return files
    },
  }
}

export type PersonalData = ReturnType<typeof createPersonalData>
