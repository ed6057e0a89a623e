import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import pg from 'pg'

/** The real services the shared-state tests run against; missing ones fail those tests, never skip them. */
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
  const name = `tollgate_test_${suffix()}`
  await withPostgres(POSTGRES_URL, (client) => client.query(`create database "${name}"`))
  t.teardown(() => withPostgres(POSTGRES_URL, (client) => client.query(`drop database if exists "${name}" with (force)`))
    .catch((error: unknown) => { process.stderr.write(`could not drop test database ${name}: ${String(error)}\n`) }))
  return withDatabaseName(POSTGRES_URL, name)
}

/** A schema name for buildApp's `databaseSchema` (it creates the schema); dropped when the test ends. */
export async function freshSchema (t: Teardown): Promise<string> {
  const schema = `test_faults_${suffix()}`
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
