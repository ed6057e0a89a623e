import fp from 'fastify-plugin'
import { coalescing, every } from '../src/periodic.js'
import { subscriberConnection } from './redis.js'

export interface RevocationsPluginOptions {
  /** How often to read revocations other processes wrote to the database, whatever was heard, in milliseconds. */
  syncIntervalMs?: number
}

const PURGE_INTERVAL_MS = 10 * 60_000

/**
 * Keeps this instance's revocation list current: revoked tokens, sessions and per-user cut-offs are
 * checked in memory on every request, heard at once through Redis when it is configured, read from the
 * database at once when another connection commits one (the CLI, another instance: `storeChanges`), and
 * read again every `syncIntervalMs`, which catches whatever both of those missed.
 */
export default fp<RevocationsPluginOptions>(async function revocations (fastify, { syncIntervalMs = 10_000 }) {
  const { bus, store } = fastify.revocations
  const onError = (context: string) => (error: unknown): void => { fastify.log.warn({ err: error }, `revocations: ${context}`) }

  if (bus !== undefined && fastify.hasDecorator('redis')) await bus.start(subscriberConnection(fastify))
  const readChanges = coalescing(() => store.sync('database-change'))
  const onChangeError = onError('could not read a change from the database; the periodic sync will')
  const stops = [fastify.storeChanges.subscribe(['revoked_tokens', 'user_cutoffs', 'refresh_families'], () => { readChanges().catch(onChangeError) })]
  await store.sync()
  stops.push(
    every(syncIntervalMs, store.sync, onError('could not read the database; will retry')),
    every(PURGE_INTERVAL_MS, store.purgeExpired, onError('could not purge expired entries'))
  )
  fastify.addHook('onClose', async () => { for (const stop of stops) stop() })
}, { name: 'revocations', dependencies: ['core'] })
