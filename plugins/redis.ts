import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import { closeRedisClient, createRedisClient } from '../src/redis-client.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The shared Redis client; decorated only when `REDIS_URL` is set. */
    redis: Redis
  }
}

/**
 * A second connection for pub/sub, closed with the app. It waits for its connection rather than failing,
 * without the shared client's command timeout: it is not on any request's path.
 */
export function subscriberConnection (fastify: FastifyInstance): Redis {
  const subscriber = fastify.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined })
  // A duplicate has no listeners: without one, ioredis prints every failed reconnect to stderr. The
  // main client's listener already logs the outage once.
  subscriber.on('error', () => {})
  fastify.addHook('onClose', async () => { subscriber.disconnect() })
  return subscriber
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
 * The shared Redis client (src/redis-client.ts), when `REDIS_URL` is set. A start does not wait for Redis
 * beyond a moment: an instance without it serves as one that lost it does.
 * (@fastify/redis is not used: it holds the start until the first connection succeeds, however long.)
 */
export default fp(async function redis (fastify) {
  const url = fastify.config.REDIS_URL
  if (url === undefined) return
  const client = createRedisClient(url)
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
  fastify.addHook('onClose', async () => { await closeRedisClient(client) })
  await readyWithin(client, STARTUP_WAIT_MS)
}, { name: 'redis', dependencies: ['config'] })
