import type { Kysely, Migration } from 'kysely'
import type { Dialect } from '../schema.js'

// A person who signed in nationally adds an email address: the link sent to it carries
// the address until it is opened. Agencies number their references from counters kept
// here, so a restart or a second instance never hands out a number twice.
export function emailAndCountersMigration(dialect: Dialect): Migration {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer'
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('email_tokens').addColumn('email', 'text').execute()
      await db.schema.createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', bigint, (c) => c.notNull())
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('counters').ifExists().execute()
      await db.schema.alterTable('email_tokens').dropColumn('email').execute()
    },
  }
}
