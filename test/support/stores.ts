import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { BuildAppOptions } from '../../app.js'
import type { Environment } from '../../src/config/environment.js'

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export interface StoreSetup {
  env: Environment
  options: Partial<BuildAppOptions>
}

export interface Store {
  name: 'sqlite' | 'postgres'
  /** A fresh, empty store for one test, removed when the test ends. */
  setup (t: { after (fn: () => unknown): void }): Promise<StoreSetup>
}

/** Throws a message that says what to start, instead of letting a store test pass or skip without it. */
export async function requirePostgres (): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('select 1')
  } catch (error) {
    throw new Error(`PostgreSQL is required for the store tests and is not answering at ${POSTGRES_URL}: ${String(error)}`)
  } finally {
    await client.end().catch(() => {})
  }
}

async function dropSchema (schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    await client.query(`drop schema if exists "${schema}" cascade`)
  } finally {
    await client.end()
  }
}

/** A SQLite file rather than `:memory:`, so a second app on the same store sees the same data. */
export const sqlite: Store = {
  name: 'sqlite',
  async setup (t) {
    const dir = await mkdtemp(join(tmpdir(), 'tollgate-test-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    return { env: { DATABASE_URL: `sqlite:${join(dir, 'tollgate.db')}` }, options: {} }
  }
}

export const postgres: Store = {
  name: 'postgres',
  async setup (t) {
    await requirePostgres()
    const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`
    t.after(() => dropSchema(schema))
    return { env: { DATABASE_URL: POSTGRES_URL }, options: { databaseSchema: schema } }
  }
}

/** Every store Tollgate supports: store tests run once against each. */
export const stores: Store[] = [sqlite, postgres]

/** A Redis key prefix no other test run shares. */
export const uniqueRedisPrefix = (): string => `test:${process.pid}:${randomBytes(4).toString('hex')}:`
