import type { z } from 'zod'
import { agencySchema } from '../catalogue/manifest.js'
import type { CatalogueRepository } from '../catalogue/repository.js'
import type { AccountService, EmailTexts, RequestContext } from '../identity/accountService.js'
import type { AuditLog } from '../ports.js'

export type NewAgency = z.infer<typeof agencySchema>

/** The fields of a new agency that failed, by their path ("name.vi", "website"). */
export class AgencyInvalid extends Error {
  constructor(readonly fields: string[]) {
    super(`invalid: ${fields.join(', ')}`)
  }
}

/**
 * A portal administrator creates an agency (names and descriptions in the three
 * languages, level, website) and invites its first administrator; the agency's
 * administrators invite their officers. An invitation is an account with no password
 * and a single-use link to set one, which also proves the address (as for staff).
 */
export function createAgencyOnboarding(deps: { catalogue: CatalogueRepository, accounts: AccountService, audit: AuditLog }) {
  const { catalogue, accounts, audit } = deps
  return {
    /** Every agency, read fresh (not from the catalogue's cache). */
    agencies: () => catalogue.listAgencies(),

    async create(input: unknown, actorId: string, ctx: RequestContext): Promise<NewAgency> {
      const parsed = agencySchema.safeParse(input)
      if (!parsed.success) throw new AgencyInvalid([...new Set(parsed.error.issues.map((i) => i.path.join('.')))])
      const agency = parsed.data
      if (await catalogue.findAgency(agency.id)) throw new AgencyInvalid(['id'])
      await catalogue.inTransaction(async (tx) => {
        await catalogue.writeAgency(tx, agency)
        // Every instance drops what it cached of the catalogue (an unknown agency included).
        await catalogue.countChange(tx)
      })
      await audit.record({ action: 'agency.created', actorId, ip: ctx.ip, requestId: ctx.requestId, detail: { agency: agency.id, level: agency.level } })
      return agency
    },

    /** Invites a person to administer (or, `role: officer`, to work for) one agency. */
    async invite(agencyId: string, role: 'agency_admin' | 'officer', person: { email: string, fullName: string }, texts: EmailTexts, actorId: string) {
      return accounts.createAccount({ email: person.email, fullName: person.fullName, role, agencyId }, texts, actorId)
    },
  }
}

export type AgencyOnboarding = ReturnType<typeof createAgencyOnboarding>
