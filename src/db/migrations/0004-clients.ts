import type { Kysely } from 'kysely'

export async function up (db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('clients')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('secret_hash', 'varchar(255)', (col) => col.notNull())
    .addColumn('scopes', 'varchar(1024)', (col) => col.notNull().defaultTo(''))
    .addColumn('disabled', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
}

export async function down (db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('clients').execute()
}
