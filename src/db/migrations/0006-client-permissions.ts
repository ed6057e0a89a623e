import type { Kysely } from 'kysely'

/** What a client may do beyond getting tokens: introspect them, follow the revocation feed. */
export async function up (db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('permissions', 'varchar(256)', (col) => col.notNull().defaultTo('')).execute()
}

export async function down (db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('permissions').execute()
}
