import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { CLOCK_LEEWAY_SECONDS } from '@tollgate/auth/tokens/claims'
import type { Db } from '../db/database.js'
import { perTurn } from '../db/turn-batch.js'

/**
 * Where the `jti` of every accepted client assertion is remembered until the assertion expires, so none
 * is accepted twice (RFC 7523 §3, item 7). `firstUse` records it and says whether it was new.
 */
export interface JtiRegistry {
  firstUse (clientId: string, jti: string, exp: number): Promise<boolean>
}

const PURGE_BATCH = 1000

/** Until when (epoch seconds) a jti is kept: its assertion's expiry, with the clock leeway on top. */
const keepUntil = (exp: number): number => exp + CLOCK_LEEWAY_SECONDS

/** The most jtis one statement records: three parameters each, well under SQLite's limit of 32,766. */
const MAX_BATCH = 500

interface PendingUse { clientId: string, jti: string, until: number, settle: (fresh: boolean) => void, fail: (error: unknown) => void }

const useKey = (clientId: string, jti: string): string => `${clientId}\u0000${jti}`

/**
 * In the SQL store, which every instance shares: the registry without Redis. Recording a jti is a write
 * that must be committed before its grant is answered, and a commit per grant cost more than the grant's
 * signature did. So the jtis of the grants that arrive together (those read in one turn of the event loop)
 * are recorded by one statement, `INSERT … ON CONFLICT DO NOTHING RETURNING`, committed once: each grant
 * still waits for its own jti to be in the store, and learns from the rows returned whether it was new.
 */
export function createDatabaseJtiRegistry (db: Db) {
  async function record (pending: PendingUse[]): Promise<void> {
    // The same jti twice in one batch: the first is recorded, any other is a replay of it.
    const rows = new Map<string, PendingUse>()
    for (const use of pending) {
      const key = useKey(use.clientId, use.jti)
      if (rows.has(key)) use.settle(false)
      else rows.set(key, use)
    }
    try {
      const inserted = await db.insertInto('client_assertion_jtis')
        .values([...rows.values()].map((use) => ({ client_id: use.clientId, jti: use.jti, expires_at: use.until })))
        .onConflict((oc) => oc.columns(['client_id', 'jti']).doNothing())
        .returning(['client_id', 'jti'])
        .execute()
      const fresh = new Set(inserted.map((row) => useKey(row.client_id, row.jti)))
      for (const [key, use] of rows) use.settle(fresh.has(key))
    } catch (error) {
      for (const use of rows.values()) use.fail(error)
    }
  }

  // record() settles every use itself, a failure included, so its promise is left to run.
  const recordWithOthers = perTurn<PendingUse>((batch) => { record(batch).catch(() => {}) }, MAX_BATCH)

  function firstUse (clientId: string, jti: string, exp: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      recordWithOthers({ clientId, jti, until: keepUntil(exp), settle: resolve, fail: reject })
    })
  }

  /**
   * Forgets jtis whose assertions can no longer be accepted anyway, a batch at a time: SQLite deletes on
   * the event loop, and one statement over minutes of grants would hold every request meanwhile.
   */
  async function purgeExpired (nowSeconds: number = Math.floor(Date.now() / 1000)): Promise<void> {
    for (;;) {
      const batch = db.selectFrom('client_assertion_jtis').select(['client_id', 'jti']).where('expires_at', '<', nowSeconds).limit(PURGE_BATCH).$asTuple('client_id', 'jti')
      const { numDeletedRows } = await db.deleteFrom('client_assertion_jtis')
        .where(({ eb, refTuple }) => eb(refTuple('client_id', 'jti'), 'in', batch))
        .executeTakeFirst()
      if (numDeletedRows < BigInt(PURGE_BATCH)) return
      await nextTurn()
    }
  }

  return { firstUse, purgeExpired }
}

/** In Redis, one key per jti that expires with it (SET NX EX): one round trip, shared by every instance. */
export function createRedisJtiRegistry (redis: Redis, prefix: string): JtiRegistry {
  return {
    async firstUse (clientId, jti, exp) {
      return await redis.set(`${prefix}assertion-jti:${clientId}:${jti}`, '1', 'EX', Math.max(1, keepUntil(exp) - Math.floor(Date.now() / 1000)), 'NX') === 'OK'
    }
  }
}

/**
 * The database is the record; Redis a fast path in front of it. A jti Redis has seen is refused there
 * without a database round trip; every other is recorded in the database, which decides. So the one-use
 * rule holds whatever Redis does: a jti spent while Redis was up is in the database during an outage, and
 * one spent during an outage is refused by the database once Redis is back (where it is new).
 */
export function inFrontOf (fast: JtiRegistry, record: JtiRegistry, onError: (error: unknown) => void): JtiRegistry {
  return {
    async firstUse (clientId, jti, exp) {
      try {
        if (!await fast.firstUse(clientId, jti, exp)) return false
      } catch (error) {
        onError(error)
      }
      return record.firstUse(clientId, jti, exp)
    }
  }
}
