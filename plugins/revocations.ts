import fp from 'fastify-plugin'

export interface RevocationsPluginOptions {
  /** How often to pick up revocations other processes wrote to the database, in milliseconds. */
  syncIntervalMs?: number
}

/**
 * Keeps this instance's revocation list current: revoked tokens, sessions and per-user cut-offs are
 * checked in memory on every request, heard at once through Redis when it is configured, and read from
 * the database, which every instance also polls (so the CLI's changes and those made while Redis was
 * down arrive within `syncIntervalMs`).
 */
export default fp<RevocationsPluginOptions>(async function revocations (fastify, { syncIntervalMs = 2000 }) {
  const { revocationBus, revocationStore } = fastify.core
  const onError = (error: unknown, context: string): void => { fastify.log.warn({ err: error }, `revocations: ${context}`) }

  if (revocationBus !== undefined && fastify.hasDecorator('redis')) {
    // The subscriber waits for its connection rather than failing, without the shared client's command
    // timeout: it is not on any request's path.
    const subscriber = fastify.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined })
    // A duplicate has no listeners: without one, ioredis prints every failed reconnect to stderr. The
    // main client's listener already logs the outage once.
    subscriber.on('error', () => {})
    fastify.addHook('onClose', async () => { subscriber.disconnect() })
    await revocationBus.start(subscriber)
  }
  await revocationStore.sync()

  let syncing = false
  const sync = setInterval(() => {
    if (syncing) return
    syncing = true
    revocationStore.sync()
      .catch((error: unknown) => { onError(error, 'could not read the database; will retry') })
      .finally(() => { syncing = false })
  }, syncIntervalMs).unref()
  const purge = setInterval(() => {
    revocationStore.purgeExpired().catch((error: unknown) => { onError(error, 'could not purge expired entries') })
  }, 10 * 60_000).unref()
  fastify.addHook('onClose', async () => {
    clearInterval(sync)
    clearInterval(purge)
  })
}, { name: 'revocations', dependencies: ['core'] })
