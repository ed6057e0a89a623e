import { sql, type Kysely } from 'kysely'
import { channelOf } from '../change-channel.js'

/**
 * On PostgreSQL, every commit that changes a client or a revocation notifies the schema's channel
 * (src/db/postgres-changes.ts listens), whichever program wrote it: a server, the CLI, or an older version.
 * A trigger sends it inside the writer's transaction, so it is delivered at the commit, never before; the
 * payload is the table's name. SQLite needs nothing: readers ask `PRAGMA data_version` instead.
 */
const TRIGGERS = [
  { table: 'clients', on: 'insert or update or delete', each: 'statement', when: '' },
  { table: 'revoked_tokens', on: 'insert', each: 'statement', when: '' },
  { table: 'user_cutoffs', on: 'insert or update', each: 'statement', when: '' },
  // Logins and refreshes write here too: only the end of a session is news to other instances.
  { table: 'refresh_families', on: 'update of revoked_at', each: 'row', when: 'when (old.revoked_at is distinct from new.revoked_at)' }
] as const

/** Told by the dialect's own compiler, without a query: PostgreSQL numbers its parameters. */
const isPostgres = (db: Kysely<unknown>): boolean => sql`select ${1}`.compile(db).sql.includes('$1')

export async function up (db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return
  await sql.raw(`create or replace function tollgate_notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify(${channelOf('tg_table_schema')}, tg_table_name);
      return null;
    end $$`).execute(db)
  for (const { table, on, each, when } of TRIGGERS) {
    await sql.raw(`create trigger ${table}_notify_change after ${on} on ${table} for each ${each} ${when} execute function tollgate_notify_change()`).execute(db)
  }
}

export async function down (db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return
  for (const { table } of TRIGGERS) await sql.raw(`drop trigger if exists ${table}_notify_change on ${table}`).execute(db)
  await sql.raw('drop function if exists tollgate_notify_change()').execute(db)
}
