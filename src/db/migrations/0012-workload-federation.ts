import { sql, type Kysely } from 'kysely'

/**
 * Workload identity federation: the issuers whose workload tokens Tollgate trusts (Kubernetes service
 * accounts, SPIFFE JWT-SVIDs, CI OIDC tokens), and on each client the workload it is bound to.
 */
export async function up (db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('trusted_issuers')
    .addColumn('name', 'varchar(64)', (col) => col.primaryKey())
    // The `iss` its tokens carry (or a `spiffe://` trust domain): one name per issuer.
    .addColumn('issuer', 'varchar(512)', (col) => col.notNull().unique())
    .addColumn('jwks_uri', 'varchar(2048)')
    .addColumn('jwks_file', 'varchar(4096)')
    .addColumn('max_lifetime', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute()
  await db.schema.alterTable('clients').addColumn('federated_issuer', 'varchar(64)').execute()
  await db.schema.alterTable('clients').addColumn('federated_subject', 'varchar(512)').execute()
  // A workload is one client: its token must name exactly one (NULLs, clients with a secret or key, never collide).
  await db.schema.createIndex('clients_federated_subject').unique().on('clients').columns(['federated_issuer', 'federated_subject']).execute()
  // On PostgreSQL an issuer added or removed notifies every instance at its commit, as a client change does
  // (0009-change-notifications); SQLite's readers notice any commit by themselves.
  if (isPostgres(db)) {
    await sql.raw('create trigger trusted_issuers_notify_change after insert or update or delete on trusted_issuers for each statement execute function tollgate_notify_change()').execute(db)
  }
}

const isPostgres = (db: Kysely<unknown>): boolean => sql`select ${1}`.compile(db).sql.includes('$1')

export async function down (db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) await sql.raw('drop trigger if exists trusted_issuers_notify_change on trusted_issuers').execute(db)
  await db.schema.dropIndex('clients_federated_subject').execute()
  await db.schema.alterTable('clients').dropColumn('federated_subject').execute()
  await db.schema.alterTable('clients').dropColumn('federated_issuer').execute()
  await db.schema.dropTable('trusted_issuers').execute()
}
