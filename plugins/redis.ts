import fastifyRedis from '@fastify/redis'
import fp from 'fastify-plugin'

/**
 * The shared Redis client, when `REDIS_URL` is set. Commands fail at once while Redis is unreachable
 * instead of queueing: callers (revocation publishing, rate limits) then carry on without it, and nothing
 * waits on a dead connection.
 */
export default fp(async function redis (fastify) {
  const url = fastify.config.REDIS_URL
  if (url === undefined) return
  await fastify.register(fastifyRedis, {
    url,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // Reconnect quickly, but back off to at most 2 s between attempts.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000)
  })
  // ioredis reports every failed reconnect as an 'error' event; one warning per outage is enough.
  let down = false
  fastify.redis.on('error', (error: Error) => {
    if (!down) fastify.log.warn({ err: error }, 'Redis is unreachable: revocations still hold on this instance and reach others through the database')
    down = true
  })
  fastify.redis.on('ready', () => {
    if (down) fastify.log.info('Redis is reachable again')
    down = false
  })
}, { name: 'redis', dependencies: ['config'] })
