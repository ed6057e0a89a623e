import { setImmediate } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { CLOCK_LEEWAY_SECONDS } from '@tollgate/auth/tokens/claims'
import type { Db } from '../db/database.js'

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

/** In the SQL store, which every instance shares: the registry without Redis. */
export function createDatabaseJtiRegistry (db: Db) {
  // Built and compiled once: building and compiling the query anew cost about a third of each grant's
  // CPU for this write. Only the parameters change from one assertion to the next.
  const insert = db.insertInto('client_assertion_jtis')
    .values({ client_id: '', jti: '', expires_at: 0 })
    .onConflict((oc) => oc.columns(['client_id', 'jti']).doNothing())
    .compile()

  async function firstUse (clientId: string, jti: string, exp: number): Promise<boolean> {
    const result = await db.executeQuery({ ...insert, parameters: [clientId, jti, keepUntil(exp)] })
    return result.numAffectedRows === 1n
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
      await setImmediate()
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
