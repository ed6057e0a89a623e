import fp from 'fastify-plugin'
import { RevocationList } from '../src/auth/revocation-list.js'
import { createRevocationStore, type RevocationStore } from '../src/auth/revocation-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    revocations: RevocationList
    revocationStore: RevocationStore
  }
}

export interface RevocationsPluginOptions {
  /** How often to pick up revocations other processes wrote to the store, in milliseconds. */
  syncIntervalMs?: number
}

/**
 * Revoked tokens and per-user cut-offs: persisted in the store, checked in memory. Changes made by other
 * processes sharing the store (the CLI, other instances) are picked up every `syncIntervalMs`.
 */
export default fp<RevocationsPluginOptions>(async function revocations (fastify, { syncIntervalMs = 2000 }) {
  const list = new RevocationList()
  const store = createRevocationStore(fastify.db, list)
  fastify.decorate('revocations', list)
  fastify.decorate('revocationStore', store)

  await store.sync()
  let syncing = false
  const timer = setInterval(() => {
    if (syncing) return
    syncing = true
    store.sync()
      .catch((error: unknown) => { fastify.log.warn({ err: error }, 'could not read revocations from the store; will retry') })
      .finally(() => { syncing = false })
  }, syncIntervalMs).unref()
  const purge = setInterval(() => {
    store.purgeExpired().catch((error: unknown) => { fastify.log.warn({ err: error }, 'could not purge expired revocations') })
  }, 10 * 60_000).unref()
  fastify.addHook('onClose', async () => {
    clearInterval(timer)
    clearInterval(purge)
  })
}, { name: 'revocations', dependencies: ['database'] })
