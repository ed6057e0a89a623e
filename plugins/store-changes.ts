import fp from 'fastify-plugin'

export interface StoreChangesPluginOptions {
  /** `false`: hear of other connections' commits only through the periodic sync (and Redis), as tests of those paths need. */
  watch?: boolean
}

/**
 * Hears commits made by the CLI and other instances as they happen (src/db/store-changes.ts), from the
 * start until the app closes; the plugins that keep copies of the store subscribe through
 * `storeChanges`. Its listener connection and timer are closed with the app.
 */
export default fp<StoreChangesPluginOptions>(async function storeChanges (fastify, { watch = true }) {
  if (!watch) return
  const stop = await fastify.storeChanges.watch()
  fastify.addHook('onClose', stop)
}, { name: 'store-changes', dependencies: ['core'] })
