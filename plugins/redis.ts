import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

declare module 'fastify' {
  interface FastifyInstance {
    /** The shared Redis client; decorated only when `REDIS_URL` is set. */
    redis: Redis
  }
}

/** How long a start waits for Redis before going on without it. */
const STARTUP_WAIT_MS = 2000

/** Resolves true once the client is ready, false if it is not within `ms`. */
function readyWithin (client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady)
      resolve(false)
    }, ms)
    function onReady (): void {
      clearTimeout(timer)
      resolve(true)
    }
    client.once('ready', onReady)
  })
}

/**
 * The shared Redis client, when `REDIS_URL` is set. Commands fail at once while Redis is unreachable
 * instead of queueing, and after 500 ms while it does not answer: callers (revocation publishing, rate
 * limits) then carry on without it, and nothing waits on a dead connection. For the same reason a start
 * does not wait for Redis beyond a moment: an instance without it serves as one that lost it does.
 * (@fastify/redis is not used: it holds the start until the first connection succeeds, however long.)
 */
export default fp(async function redis (fastify) {
  const url = fastify.config.REDIS_URL
  if (url === undefined) return
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // A Redis that stops answering without closing the connection (a network partition) would otherwise
    // hold every login on its rate-limit check, and every logout on its publish, for as long as it lasts.
    commandTimeout: 500,
    // Reconnect quickly, but back off to at most 2 s between attempts.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000)
  })
  // ioredis reports every failed reconnect as an 'error' event; one warning per outage is enough.
  let down = false
  client.on('error', (error: Error) => {
    if (!down) fastify.log.warn({ err: error }, 'Redis is unreachable: revocations still hold on this instance and reach others through the database')
    down = true
  })
  client.on('ready', () => {
    if (down) fastify.log.info('Redis is reachable again')
    down = false
  })
  fastify.decorate('redis', client)
  fastify.addHook('onClose', async () => {
    // QUIT needs a live connection (nothing is queued); without one there is nothing to say goodbye to.
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect())
    else client.disconnect()
  })
  await readyWithin(client, STARTUP_WAIT_MS)
}, { name: 'redis', dependencies: ['config'] })
