import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely'
import pg from 'pg'
import { migrations } from './migrations/index.js'
import type { Database } from './tables.js'
import { TollgateError } from '@tollgate/auth/errors'

export type Db = Kysely<Database>

export interface DatabaseOptions {
  /** `sqlite:<path>` (`sqlite::memory:` for a throwaway store) or `postgres://…`. */
  url: string
  /** PostgreSQL schema to use (tests give each run its own). */
  schema?: string
}

/**
 * The store DATABASE_URL names could not be opened or brought up to date. The message names the variable
 * so an operator knows what to fix, and never holds the URL itself, which may carry a password.
 */
const storeError = (action: string, cause: unknown): TollgateError => new TollgateError('ERR_STORE_UNAVAILABLE',
  `DATABASE_URL: cannot ${action}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })

function openSqlite (file: string): SQLite.Database {
  try {
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true })
    const sqlite = new SQLite(file)
    // WAL lets the CLI write while a server reads; a busy timeout waits for the writer instead of failing.
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('busy_timeout = 5000')
    // better-sqlite3 runs on the event loop, so a commit's fsync (FULL's default) held every request for
    // ~2 ms here: a client assertion's jti is a write per grant. In WAL mode NORMAL syncs at checkpoints
    // only; the store stays consistent, and only a power loss or OS crash can undo the last commits.
    sqlite.pragma('synchronous = NORMAL')
    return sqlite
  } catch (error) {
    throw storeError('open the SQLite store', error)
  }
}

/**
 * How many SQLite statements stay prepared: every query Tollgate makes, and a client assertion batch's
 * INSERT for each batch size (up to 500 rows), which is its own SQL text.
 */
const PREPARED_STATEMENTS = 1024

/**
 * The SQLite store as Kysely drives it, with each statement prepared once. Kysely prepares its SQL anew
 * for every query, and SQLite's parser and planner cost more than running the statement: a refresh (four
 * statements) or a client assertion's jti paid that on every grant. A statement is reused only for the
 * same SQL text; better-sqlite3 runs it to completion before the next starts (Tollgate never streams), so
 * one is never busy when asked for again. Past the bound, the least recently used is dropped.
 */
function preparedOnce (sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>()
  return {
    close: () => { sqlite.close() },
    prepare (sql) {
      let statement = statements.get(sql)
      // A Map iterates in insertion order: moved to the end when used, the first is the least recent.
      if (statement !== undefined) statements.delete(sql)
      else {
        statement = sqlite.prepare(sql)
        if (statements.size >= PREPARED_STATEMENTS) statements.delete(statements.keys().next().value as string)
      }
      statements.set(sql, statement)
      return statement
    }
  }
}

/** Where and how a PostgreSQL connection goes: the pool's, and any connection of its own Tollgate opens. */
export const postgresConnection = ({ url, schema }: { url: string, schema?: string | undefined }): pg.ClientConfig => ({
  connectionString: url,
  connectionTimeoutMillis: 2000,
  ...(schema === undefined ? {} : { options: `-c search_path=${schema}` })
})

const embeddedStores = new WeakSet<Db>()

/** Whether `db` is the embedded SQLite store: one connection, on the event loop, whose commits are Tollgate's own CPU. */
export const isEmbedded = (db: Db): boolean => embeddedStores.has(db)

export function createDatabase ({ url, schema }: DatabaseOptions): Db {
  if (url.startsWith('sqlite:')) {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: preparedOnce(openSqlite(url.slice('sqlite:'.length))) }) })
    embeddedStores.add(db)
    return db
  }
  const pool = new pg.Pool({
    ...postgresConnection({ url, schema }),
    max: 10,
    // A stalled server (a partition, not a refusal) must turn into a 503, not a request that never ends.
    query_timeout: 3000,
    // Epoch-millisecond columns are bigint; pg returns int8 as a string unless told otherwise.
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format) }
  })
  // A client that loses its server emits 'error': the pool listens only while the client is idle, and an
  // unheard 'error' ends the process. The query in flight fails on its own and becomes a 503.
  pool.on('error', () => {})
  pool.on('connect', (client) => { client.on('error', () => {}) })
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/**
 * PostgreSQL's undefined_schema. Kysely's migrator finds its own tables by listing the tables of every
 * schema (kysely-org/kysely#1537), and that query fails with this code when another schema of the database
 * is dropped while it runs; the next attempt no longer sees that schema. The steps before the migrations
 * create only what is missing, so trying again is safe.
 */
const UNDEFINED_SCHEMA = '3F000'
/**
 * PostgreSQL's undefined_column, seen once in many test runs that migrate dozens of schemas of one database
 * at once ("column name of relation kysely_migration does not exist"); the cause is not established, but a
 * failed attempt rolls back under Kysely's lock, so the same retry is safe here too.
 */
const UNDEFINED_COLUMN = '42703'
const RETRIED = new Set([UNDEFINED_SCHEMA, UNDEFINED_COLUMN])
const MIGRATION_ATTEMPTS = 3

/** Brings the schema up to date; run at every start, so a deploy never needs a separate step. */
export async function migrateToLatest (db: Db, schema?: string): Promise<void> {
  try {
    if (schema !== undefined) await db.schema.createSchema(schema).ifNotExists().execute()
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      // Without it Kysely looks for its bookkeeping tables in any schema, and may find another run's.
      ...(schema === undefined ? {} : { migrationTableSchema: schema })
    })
    for (let attempt = 1; ; attempt++) {
      const { error } = await migrator.migrateToLatest()
      if (error === undefined) return
      if (attempt === MIGRATION_ATTEMPTS || !RETRIED.has(String((error as { code?: unknown }).code))) throw error
    }
  } catch (error) {
    // Most often the store is unreachable or refuses the credentials; then the URL is what to fix.
    throw storeError('reach or migrate the store', error)
  }
}
