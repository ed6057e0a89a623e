import type { Kysely } from 'kysely'

export async function up (db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('signing_keys')
    .addColumn('kid', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('first_seen_at', 'bigint', (col) => col.notNull())
    .addColumn('retired_at', 'bigint')
    .execute()
}

export async function down (db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('signing_keys').execute()
}
