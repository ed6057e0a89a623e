import type { Kysely } from 'kysely'

/** Columns added to `clients`, one statement each: SQLite adds one column per ALTER TABLE. */
const CLIENT_COLUMNS = ['public_key', 'audiences', 'token_ttl', 'updated_at'] as const

export async function up (db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('public_key', 'text').execute()
  await db.schema.alterTable('clients').addColumn('audiences', 'varchar(2048)', (col) => col.notNull().defaultTo('')).execute()
  await db.schema.alterTable('clients').addColumn('token_ttl', 'integer').execute()
  await db.schema.alterTable('clients').addColumn('updated_at', 'bigint', (col) => col.notNull().defaultTo(0)).execute()
  await db.schema.createIndex('clients_updated_at').on('clients').column('updated_at').execute()
  // RFC 7523 §3: a jti is unique per issuer, and the issuer of an assertion is the client.
  await db.schema.createTable('client_assertion_jtis')
    .addColumn('client_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('jti', 'varchar(255)', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('client_assertion_jtis_pk', ['client_id', 'jti'])
    .execute()
  await db.schema.createIndex('client_assertion_jtis_expires_at').on('client_assertion_jtis').column('expires_at').execute()
}

export async function down (db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('client_assertion_jtis').execute()
  await db.schema.dropIndex('clients_updated_at').execute()
  for (const column of [...CLIENT_COLUMNS].reverse()) await db.schema.alterTable('clients').dropColumn(column).execute()
}
