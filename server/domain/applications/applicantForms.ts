import type { CatalogueService } from '../catalogue/catalogueService.js'
import type { Service } from '../catalogue/types.js'
import type { FormDefinition, ProfileFieldName } from '../forms/formSchema.js'
import type { User } from '../identity/model.js'

const profileOf: Record<ProfileFieldName, (u: User) => string | null> = {
  fullName: (u) => u.fullName, birthdate: (u) => u.birthdate, gender: (u) => u.gender, citizenId: (u) => u.citizenId,
  address: (u) => u.address, phone: (u) => u.phone, email: (u) => u.email,
}

/** A service with its online form, and the profile values that form declared. */
export function applicantForms(catalogue: CatalogueService) {
  /**
   * A service with its form; for an application, the form of the version it was made
   * with, though a later version be in force now.
   */
  async function serviceWithForm(serviceId: string, version?: number | null): Promise<{ service: Service, form: FormDefinition }> {
    const service = await catalogue.service(serviceId)
    if (!service) throw new Error(`no service ${serviceId}`)
    const form = version && version !== service.version ? (await catalogue.serviceVersion(serviceId, version))?.form : service.form
    if (!form) throw new Error(`service ${serviceId} version ${version ?? service.version} has no form`)
    return { service, form }
  }

  /** The declared profile fields, from the person's profile, and nothing else. */
  function declaredProfile(form: FormDefinition, user: User): Record<string, string> {
    const profile: Record<string, string> = {}
    for (const name of form.profileFields) {
      const value = profileOf[name](user)
      if (value) profile[name] = value
    }
    return profile
  }

  return { serviceWithForm, declaredProfile }
}
