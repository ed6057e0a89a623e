import type { Kysely } from 'kysely'

export async function up (db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('refresh_families')
    .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
    .addColumn('user_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_reason', 'varchar(32)')
    .execute()
  await db.schema.createIndex('refresh_families_user_id').on('refresh_families').column('user_id').execute()
  await db.schema.createIndex('refresh_families_revoked_at').on('refresh_families').column('revoked_at').execute()
  await db.schema.createTable('refresh_tokens')
    .addColumn('token_hash', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('family_id', 'varchar(36)', (col) => col.notNull().references('refresh_families.id').onDelete('cascade'))
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('spent_at', 'bigint')
    .execute()
  await db.schema.createIndex('refresh_tokens_family_id').on('refresh_tokens').column('family_id').execute()
}

export async function down (db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('refresh_tokens').execute()
  await db.schema.dropTable('refresh_families').execute()
}
