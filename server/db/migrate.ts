import { Migrator, type Migration, type MigrationProvider } from 'kysely'
import type { DatabaseHandle } from './database.js'
import type { Dialect } from './schema.js'
import { catalogueMigration } from './migrations/001_catalogue.js'
import { identityMigration } from './migrations/002_identity.js'
import { peopleAndBusinessesMigration } from './migrations/003_people_and_businesses.js'
import { applicationsMigration } from './migrations/004_applications.js'
import { mailOutboxMigration } from './migrations/005_mail_outbox.js'
import { emailAndCountersMigration } from './migrations/006_email_and_counters.js'
import { dropSubmitKeyMigration } from './migrations/007_drop_submit_key.js'
import { agencyOnboardingMigration } from './migrations/008_agency_onboarding.js'
import { serviceVersionsMigration } from './migrations/009_service_versions.js'
import { auditLogMigration } from './migrations/010_audit_log.js'
import { deadlinesMigration } from './migrations/011_deadlines.js'
import { resultsMigration } from './migrations/012_results.js'
import { searchInMemoryMigration } from './migrations/013_search_in_memory.js'
import { satisfactionMigration } from './migrations/014_satisfaction.js'
import { auditPlacesMigration } from './migrations/015_audit_places.js'

// Migrations live in code (numbered, never edited once landed) so the compiled
// server needs no migration folder at run time.
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001_catalogue': catalogueMigration(dialect),
    '002_identity': identityMigration(dialect),
    '003_people_and_businesses': peopleAndBusinessesMigration(dialect),
    '004_applications': applicationsMigration(dialect),
    '005_mail_outbox': mailOutboxMigration(dialect),
    '006_email_and_counters': emailAndCountersMigration(dialect),
    '007_drop_submit_key': dropSubmitKeyMigration(dialect),
    '008_agency_onboarding': agencyOnboardingMigration(dialect),
    '009_service_versions': serviceVersionsMigration(dialect),
    '010_audit_log': auditLogMigration(dialect),
    '011_deadlines': deadlinesMigration(dialect),
    '012_results': resultsMigration(dialect),
    '013_search_in_memory': searchInMemoryMigration(dialect),
    '014_satisfaction': satisfactionMigration(dialect),
    '015_audit_places': auditPlacesMigration(dialect),
  }
}

class CodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations(this.dialect))
  }
}

/** Applies every migration not yet applied; `upTo` stops after the one of that name (tests of an upgrade). */
export async function migrateToLatest({ db, dialect, schema }: DatabaseHandle, upTo?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new CodeMigrationProvider(dialect),
    // Named, because the migrator otherwise finds its table in any schema of the database.
    ...(schema ? { migrationTableSchema: schema } : {}),
  })
  const { error, results } = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName
    throw new Error(`Migration ${failed ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`)
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
