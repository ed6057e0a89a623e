import fp from 'fastify-plugin'
import { every } from '../src/periodic.js'
import { subscriberConnection } from './redis.js'

export interface ClientsPluginOptions {
  /** How often to compare every client with the store, in milliseconds (what catches a missed message). */
  syncIntervalMs?: number
}

/** Often enough that each purge is small: jtis pile up at the rate of private_key_jwt grants. */
const PURGE_INTERVAL_MS = 30_000

/**
 * Keeps this instance's copy of the clients current: loaded at start, changed at once by a message
 * through Redis when it is configured, and compared with the store every `syncIntervalMs` (so a change
 * whose message was lost, or made while Redis was down, arrives anyway).
 */
export default fp<ClientsPluginOptions>(async function clients (fastify, { syncIntervalMs = 2000 }) {
  const { directory, changeBus, purgeExpiredJtis } = fastify.clients
  const onError = (context: string) => (error: unknown): void => { fastify.log.warn({ err: error }, `clients: ${context}`) }
  await directory.load()
  if (changeBus !== undefined && fastify.hasDecorator('redis')) await changeBus.start(subscriberConnection(fastify))
  const stops = [
    every(syncIntervalMs, directory.sync, onError('could not read the clients; will retry')),
    every(PURGE_INTERVAL_MS, purgeExpiredJtis, onError('could not purge expired assertion jtis'))
  ]
  fastify.addHook('onClose', async () => { for (const stop of stops) stop() })
}, { name: 'clients', dependencies: ['core'] })
