import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { sql } from 'kysely'
import pg from 'pg'
import type { BuildAppOptions } from '../../app.js'
import type { Environment } from '../../src/config/environment.js'
import { channelOf } from '../../src/db/change-channel.js'
import { createDatabase, migrateToLatest, type Db } from '../../src/db/database.js'

/** The real services the store and shared-state tests run against; missing ones fail those tests, never skip them. */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

interface Teardown { teardown (fn: () => unknown): void }

const suffix = (): string => `${process.pid}_${randomBytes(4).toString('hex')}`

/** Runs `fn` with a connected client on `url`, or throws a message naming PostgreSQL and the address. */
async function withPostgres<T> (url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
  } catch (error) {
    await client.end().catch(() => {})
    throw new Error(`PostgreSQL is required by this test and is not answering at ${url} (set TEST_POSTGRES_URL): ${String(error)}`)
  }
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}

export interface StoreSetup {
  env: Environment
  options: Partial<BuildAppOptions>
}

export interface Store {
  name: 'sqlite' | 'postgres'
  /** A fresh, empty store for one test, removed when the test ends. */
  setup (t: Teardown): Promise<StoreSetup>
}

/** A SQLite file rather than `:memory:`, so a second app on the same store sees the same data. */
export const sqlite: Store = {
  name: 'sqlite',
  async setup (t) {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-test-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    return { env: { DATABASE_URL: `sqlite:${join(dir, 'tollgate.db')}` }, options: {} }
  }
}

export const postgres: Store = {
  name: 'postgres',
  async setup (t) {
    const schema = await freshSchema(t)
    return { env: { DATABASE_URL: POSTGRES_URL }, options: { databaseSchema: schema } }
  }
}

/** Every store Tollgate supports: store tests run once against each. */
export const stores: Store[] = [sqlite, postgres]

/**
 * An empty, migrated database on `store` for one test, opened directly (no app): closed, then removed,
 * when the test ends.
 */
export async function openDatabase (t: Teardown, store: Store): Promise<Db> {
  const { env, options } = await store.setup(t)
  const schema = options.databaseSchema
  const db = createDatabase({ url: env.DATABASE_URL ?? '', ...(schema === undefined ? {} : { schema }) })
  // Closed before the store is removed: teardowns run in the reverse order of registration.
  t.teardown(() => db.destroy())
  await migrateToLatest(db, schema)
  return db
}

/** Replaces the database name in a postgres:// URL. */
export function withDatabaseName (url: string, name: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  return parsed.toString()
}

/**
 * A new, empty PostgreSQL database for processes that cannot be handed a schema: its URL is their
 * DATABASE_URL. Dropped when the test ends, even with clients still connected.
 */
export async function freshDatabase (t: Teardown): Promise<string> {
  const name = freshDatabaseName(t)
  await withPostgres(POSTGRES_URL, (client) => client.query(`create database "${name}"`))
  return withDatabaseName(POSTGRES_URL, name)
}

/**
 * A database name no other test uses, for a test that creates the database itself (as an operator would,
 * with createdb): dropped when the test ends if it was made, even with clients still connected.
 */
export function freshDatabaseName (t: Teardown): string {
  const name = `tollgate_test_${suffix()}`
  t.teardown(() => withPostgres(POSTGRES_URL, (client) => client.query(`drop database if exists "${name}" with (force)`))
    .catch((error: unknown) => { process.stderr.write(`could not drop test database ${name}: ${String(error)}\n`) }))
  return name
}

/** A schema name for buildApp's `databaseSchema` (it creates the schema); dropped when the test ends. */
export async function freshSchema (t: Teardown): Promise<string> {
  const schema = `test_${suffix()}`
  await withPostgres(POSTGRES_URL, (client) => client.query('select 1'))
  t.teardown(() => withPostgres(POSTGRES_URL, (client) => client.query(`drop schema if exists "${schema}" cascade`))
    .catch((error: unknown) => { process.stderr.write(`could not drop test schema ${schema}: ${String(error)}\n`) }))
  return schema
}

/**
 * A Redis key and channel prefix no other test shares. Checks that Redis answers (failing with a message
 * naming it otherwise) and deletes every key under the prefix when the test ends.
 */
export async function freshRedisPrefix (t: Teardown): Promise<string> {
  const prefix = `test-${suffix()}:`
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null })
  redis.on('error', () => {})
  try {
    await redis.connect()
    await redis.ping()
  } catch (error) {
    redis.disconnect()
    throw new Error(`Redis is required by this test and is not answering at ${REDIS_URL} (set TEST_REDIS_URL): ${String(error)}`)
  }
  t.teardown(async () => {
    try {
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
        cursor = next
        if (keys.length !== 0) await redis.del(...keys)
      } while (cursor !== '0')
    } catch (error) {
      process.stderr.write(`could not delete the test's Redis keys under ${prefix}: ${String(error)}\n`)
    } finally {
      redis.disconnect()
    }
  })
  return prefix
}

/** The process ids of the PostgreSQL connections listening for changes to `db`'s schema (other tests' schemas aside). */
export async function schemaListeners (db: Db): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity
    where query = 'listen "' || ${sql.raw(channelOf('current_schema()'))} || '"'`.execute(db)
  return rows.map((row) => row.pid)
}
