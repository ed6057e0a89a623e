import fp from 'fastify-plugin'
import { ACCESS_TOKEN_TTL_MAX } from '../src/auth/claims.js'
import { createRevocationBus } from '../src/auth/revocation-bus.js'
import { RevocationList } from '../src/auth/revocation-list.js'
import { createRevocationStore, type RevocationStore } from '../src/auth/revocation-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    revocations: RevocationList
    revocationStore: RevocationStore
  }
}

export interface RevocationsPluginOptions {
  /** How often to pick up revocations other processes wrote to the database, in milliseconds. */
  syncIntervalMs?: number
}

/**
 * Revoked tokens, sessions and per-user cut-offs: checked in memory on every request, shared at once
 * through Redis when it is configured, and kept in the database, which every instance also polls (so
 * the CLI's changes and those made while Redis was down arrive within `syncIntervalMs`).
 */
export default fp<RevocationsPluginOptions>(async function revocations (fastify, { syncIntervalMs = 2000 }) {
  const list = new RevocationList()
  const onError = (error: unknown, context: string): void => { fastify.log.warn({ err: error }, `revocations: ${context}`) }

  let publish
  if (fastify.hasDecorator('redis') && fastify.config.REDIS_URL !== undefined) {
    // The subscriber waits for its connection rather than failing, without the shared client's command
    // timeout: it is not on any request's path.
    const subscriber = fastify.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined })
    // A duplicate has no listeners: without one, ioredis prints every failed reconnect to stderr. The
    // main client's listener already logs the outage once.
    subscriber.on('error', () => {})
    fastify.addHook('onClose', async () => { subscriber.disconnect() })
    const bus = createRevocationBus(fastify.redis, subscriber, list, {
      prefix: fastify.config.REDIS_PREFIX, maxTokenTtlSeconds: ACCESS_TOKEN_TTL_MAX, onError
    })
    await bus.start()
    publish = bus.publish
  }

  const store = createRevocationStore(fastify.db, list, fastify.refreshTokens, {
    maxTokenTtlSeconds: ACCESS_TOKEN_TTL_MAX,
    ...(publish === undefined ? {} : { publish }),
    onPublishError: (error) => onError(error, 'could not publish to Redis; other instances will read it from the database')
  })
  fastify.decorate('revocations', list)
  fastify.decorate('revocationStore', store)
  await store.sync()

  let syncing = false
  const sync = setInterval(() => {
    if (syncing) return
    syncing = true
    store.sync()
      .catch((error: unknown) => { onError(error, 'could not read the database; will retry') })
      .finally(() => { syncing = false })
  }, syncIntervalMs).unref()
  const purge = setInterval(() => {
    store.purgeExpired().catch((error: unknown) => { onError(error, 'could not purge expired entries') })
  }, 10 * 60_000).unref()
  fastify.addHook('onClose', async () => {
    clearInterval(sync)
    clearInterval(purge)
  })
}, { name: 'revocations', dependencies: ['database', 'refresh-tokens'] })
