import type { Redis } from 'ioredis'
import { sql } from 'kysely'
import type { Db } from '../db/database.js'

export type DependencyStatus = 'ok' | 'down' | 'not configured'

export interface DependencyProbes {
  database: 'ok' | 'down'
  redis: DependencyStatus
}

/** How long a dependency may take to answer before it counts as down. */
const PROBE_TIMEOUT_MS = 1000

async function probe (check: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS) })
  try {
    await Promise.race([check(), timeout])
    return 'ok'
  } catch {
    return 'down'
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Asks the database and Redis (when configured) to answer, each within a second: what `/ready` reports
 * and what the metrics' `up` gauges show.
 */
export async function probeDependencies (db: Db, redis: Redis | undefined): Promise<DependencyProbes> {
  const [database, redisStatus] = await Promise.all([
    probe(() => sql`select 1`.execute(db)),
    redis === undefined ? 'not configured' as const : probe(() => redis.ping())
  ])
  return { database, redis: redisStatus }
}
