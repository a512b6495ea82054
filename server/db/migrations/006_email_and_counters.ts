import type { Kysely, Migration } from 'kysely'
import { fold } from '../../domain/catalogue/textFolding.js'
import type { Dialect } from '../schema.js'

// A person who signed in nationally adds an email address: the link sent to it carries
// the address until it is opened. Names are also kept folded (no case, no tone marks),
// so staff find "Nguyễn" by typing "nguyen". Agencies number their references from counters kept
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
      await db.schema.alterTable('users').addColumn('folded_name', 'text').execute()
      const people = db as unknown as Kysely<{ users: { id: string, full_name: string | null, folded_name: string | null } }>
      for (const u of await people.selectFrom('users').select(['id', 'full_name']).where('full_name', 'is not', null).execute()) {
        await people.updateTable('users').set({ folded_name: fold(u.full_name!) }).where('id', '=', u.id).execute()
      }
      await db.schema.createIndex('users_folded_name').on('users').column('folded_name').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('users').dropColumn('folded_name').execute()
      await db.schema.dropTable('counters').ifExists().execute()
      await db.schema.alterTable('email_tokens').dropColumn('email').execute()
    },
  }
}
