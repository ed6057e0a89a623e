import fp from 'fastify-plugin'
import { every } from '../src/periodic.js'
import { subscriberConnection } from './redis.js'

export interface RevocationsPluginOptions {
  /** How often to pick up revocations other processes wrote to the database, in milliseconds. */
  syncIntervalMs?: number
}

const PURGE_INTERVAL_MS = 10 * 60_000

/**
 * Keeps this instance's revocation list current: revoked tokens, sessions and per-user cut-offs are
 * checked in memory on every request, heard at once through Redis when it is configured, and read from
 * the database, which every instance also polls (so the CLI's changes and those made while Redis was
 * down arrive within `syncIntervalMs`).
 */
export default fp<RevocationsPluginOptions>(async function revocations (fastify, { syncIntervalMs = 2000 }) {
  const { bus, store } = fastify.revocations
  const onError = (context: string) => (error: unknown): void => { fastify.log.warn({ err: error }, `revocations: ${context}`) }

  if (bus !== undefined && fastify.hasDecorator('redis')) await bus.start(subscriberConnection(fastify))
  await store.sync()
  const stops = [
    every(syncIntervalMs, store.sync, onError('could not read the database; will retry')),
    every(PURGE_INTERVAL_MS, store.purgeExpired, onError('could not purge expired entries'))
  ]
  fastify.addHook('onClose', async () => { for (const stop of stops) stop() })
}, { name: 'revocations', dependencies: ['core'] })
