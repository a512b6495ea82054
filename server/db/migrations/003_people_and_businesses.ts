import type { Kysely, Migration } from 'kysely'
import type { Dialect } from '../schema.js'

// What the portal knows of a person (profile, national identity) and of the
// businesses they represent.
export function peopleAndBusinessesMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const column of ['birthdate', 'gender', 'citizen_id', 'address', 'phone', 'national_sub', 'verified_fields']) {
        await db.schema.alterTable('users').addColumn(column, 'text').execute()
      }
      await db.schema.alterTable('users').addColumn('assurance_level', 'integer').execute()
      await db.schema.createIndex('users_national_sub').unique().on('users').column('national_sub').execute()

      // The local business registry (development and tests); production looks up the
      // national registry behind the same interface.
      await db.schema.createTable('enterprises')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_folded', 'text', (c) => c.notNull())
        .addColumn('representative_citizen_id', 'text', (c) => c.notNull())
        .addColumn('representative_name', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('registered_on', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('enterprises_name_folded').on('enterprises').column('name_folded').execute()

      await db.schema.createTable('representations')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('enterprise_code', 'text', (c) => c.notNull())
        .addColumn('enterprise_name', 'text', (c) => c.notNull())
        .addColumn('linked_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('representations_pk', ['user_id', 'enterprise_code'])
        .execute()

      // Whom the actor acted for, when it was a business.
      await db.schema.alterTable('audit_events').addColumn('on_behalf_of', 'text').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('audit_events').dropColumn('on_behalf_of').execute()
      await db.schema.dropTable('representations').ifExists().execute()
      await db.schema.dropTable('enterprises').ifExists().execute()
      await db.schema.dropIndex('users_national_sub').ifExists().execute()
      for (const column of ['assurance_level', 'verified_fields', 'national_sub', 'phone', 'address', 'citizen_id', 'gender', 'birthdate']) {
        await db.schema.alterTable('users').dropColumn(column).execute()
      }
    },
  }
}
