import fp from 'fastify-plugin'
import { coalescing } from '../src/periodic.js'
import { subscriberConnection } from './redis.js'

export interface RevocationsPluginOptions {
  /** How often to read revocations other processes wrote to the database, whatever was heard, in milliseconds. */
  syncIntervalMs?: number
}

/**
 * Keeps this instance's revocation list current: revoked tokens, sessions and per-user cut-offs are
 * checked in memory on every request, heard at once through Redis when it is configured, read from the
 * database at once when another connection commits one (the CLI, another instance: `core.storeChanges`),
 * and read again every `syncIntervalMs`, which catches whatever both of those missed.
 */
export default fp<RevocationsPluginOptions>(async function revocations (fastify, { syncIntervalMs = 10_000 }) {
  const { revocationBus, revocationStore, storeChanges } = fastify.core
  const onError = (error: unknown, context: string): void => { fastify.log.warn({ err: error }, `revocations: ${context}`) }

  if (revocationBus !== undefined && fastify.hasDecorator('redis')) {
    await revocationBus.start(subscriberConnection(fastify))
  }
  const readChanges = coalescing(() => revocationStore.sync('database-change'))
  const unsubscribe = storeChanges.subscribe(['revoked_tokens', 'user_cutoffs', 'refresh_families'], () => {
    readChanges().catch((error: unknown) => { onError(error, 'could not read a change from the database; the periodic sync will') })
  })
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
    unsubscribe()
    clearInterval(sync)
    clearInterval(purge)
  })
}, { name: 'revocations', dependencies: ['core'] })
