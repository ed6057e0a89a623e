import type { Kysely } from 'kysely'

/**
 * What a person needs to tell their sessions apart (GET /users/me/sessions): when each was last used, and
 * from which program and address. One column per statement: SQLite adds only one at a time. Sessions
 * started before this migration have none of it; they show their start as their last use.
 */
export async function up (db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('refresh_families').addColumn('last_used_at', 'bigint').execute()
  await db.schema.alterTable('refresh_families').addColumn('user_agent', 'varchar(256)').execute()
  await db.schema.alterTable('refresh_families').addColumn('address', 'varchar(64)').execute()
}

export async function down (db: Kysely<unknown>): Promise<void> {
  for (const column of ['address', 'user_agent', 'last_used_at']) {
    await db.schema.alterTable('refresh_families').dropColumn(column).execute()
  }
}
