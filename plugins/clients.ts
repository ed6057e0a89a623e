import fp from 'fastify-plugin'
import { coalescing, every } from '../src/periodic.js'
import { subscriberConnection } from './redis.js'

export interface ClientsPluginOptions {
  /** How often to compare every client with the store, in milliseconds (what catches a missed change). */
  syncIntervalMs?: number
  /** How often, at most, a workload token naming an unknown key fetches its issuer's key set again (default 30 s). */
  keyRefetchMs?: number
}

/** Often enough that each purge is small: jtis pile up at the rate of private_key_jwt grants. */
const PURGE_INTERVAL_MS = 30_000

/**
 * Keeps this instance's copy of the clients current: loaded at start, changed at once by a message
 * through Redis when it is configured, compared with the store at once when another connection commits
 * a client change (`storeChanges`), and again every `syncIntervalMs` (so a change whose message was
 * lost arrives anyway). The comparisons never overlap: an older read must not overwrite a newer one.
 */
export default fp<ClientsPluginOptions>(async function clients (fastify, { syncIntervalMs = 10_000, keyRefetchMs }) {
  const { directory, changeBus, purgeExpiredJtis, federation } = fastify.clients
  const onError = (context: string) => (error: unknown): void => { fastify.log.warn({ err: error }, `clients: ${context}`) }
  const sync = coalescing(directory.sync)
  const syncIssuers = coalescing(federation.trusted.sync)
  const onChangeError = onError('could not read a client change; the periodic sync will')
  await directory.load()
  // Trusted issuers' key sets are fetched now without waiting: one out of reach must not hold the start.
  await federation.trusted.start(keyRefetchMs === undefined ? {} : { refetchIntervalMs: keyRefetchMs })
  const stops = [
    fastify.storeChanges.subscribe(['clients'], () => { sync().catch(onChangeError) }),
    // An issuer added or removed with the CLI; a client bound to a new issuer may arrive first.
    fastify.storeChanges.subscribe(['trusted_issuers', 'clients'], () => { syncIssuers().catch(onError('could not read the trusted issuers; the periodic sync will')) })
  ]
  // A change committed while the clients loaded was heard by nobody yet.
  await sync()
  if (changeBus !== undefined && fastify.hasDecorator('redis')) await changeBus.start(subscriberConnection(fastify))
  stops.push(
    every(syncIntervalMs, sync, onError('could not read the clients; will retry')),
    // Issuers changed while no commit was heard, and JWKS files that changed.
    every(Math.min(syncIntervalMs, 2000), syncIssuers, onError('could not read the trusted issuers; will retry')),
    every(PURGE_INTERVAL_MS, purgeExpiredJtis, onError('could not purge expired assertion jtis')),
    every(PURGE_INTERVAL_MS, fastify.oauth.codes.purgeExpired, onError('could not purge expired authorization codes'))
  )
  fastify.addHook('onClose', async () => { for (const stop of stops) stop() })
}, { name: 'clients', dependencies: ['core'] })
