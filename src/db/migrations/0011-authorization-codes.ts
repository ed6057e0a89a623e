import type { Kysely } from 'kysely'

/**
 * Browser sign-in (RFC 6749 §4.1 with PKCE): public clients and the redirect URIs a code may be sent to,
 * one column per statement (SQLite adds one at a time), and the codes themselves, kept as SHA-256 hashes.
 */
export async function up (db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('public', 'integer', (col) => col.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('clients').addColumn('redirect_uris', 'varchar(4096)', (col) => col.notNull().defaultTo('')).execute()
  await db.schema.createTable('authorization_codes')
    .addColumn('code_hash', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('client_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('redirect_uri', 'varchar(2048)', (col) => col.notNull())
    .addColumn('code_challenge', 'varchar(128)', (col) => col.notNull())
    .addColumn('scope', 'varchar(1024)', (col) => col.notNull())
    .addColumn('resource', 'varchar(2048)', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    // Set by the exchange: a second presentation finds it and ends the session it started (§4.1.2).
    .addColumn('used_at', 'bigint')
    .addColumn('family_id', 'varchar(64)')
    .execute()
  await db.schema.createIndex('authorization_codes_expires_at').on('authorization_codes').column('expires_at').execute()
}

export async function down (db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('authorization_codes').execute()
  await db.schema.alterTable('clients').dropColumn('redirect_uris').execute()
  await db.schema.alterTable('clients').dropColumn('public').execute()
}
