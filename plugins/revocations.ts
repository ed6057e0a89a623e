import fp from 'fastify-plugin'
import { subscriberConnection } from './redis.js'

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
    await revocationBus.start(subscriberConnection(fastify))
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
