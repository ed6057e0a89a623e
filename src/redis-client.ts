import { Redis } from 'ioredis'

/**
 * A Redis client whose commands fail at once while Redis is unreachable instead of queueing, and after
 * 500 ms while it does not answer: callers (revocation publishing, rate limits, replay checks) then carry
 * on without it, and nothing waits on a dead connection. A Redis that stops answering without closing the
 * connection (a network partition) would otherwise hold every login on its rate-limit check, and every
 * logout on its publish, for as long as it lasts.
 */
export function createRedisClient (url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 500,
    // Reconnect quickly, but back off to at most 2 s between attempts.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000)
  })
}

/**
 * A client for one short command-line run: it connects only when a command is sent (most runs send
 * none), tries once, and gives up quickly; the database is the record either way.
 */
export function createOneShotRedisClient (url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: () => null
  })
  // Without a listener ioredis prints the failure to stderr; the caller hears of it through the command.
  client.on('error', () => {})
  return client
}

/** Closes a client whatever its state: QUIT needs a live connection, and there is nothing to say goodbye to without one. */
export async function closeRedisClient (client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect())
  else client.disconnect()
}
