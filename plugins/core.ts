import fp from 'fastify-plugin'
import { openCore, type Core, type CoreParts } from '../src/core.js'

declare module 'fastify' {
  // One decorator a concern, typed from what the core returns: there is no second list to keep.
  interface FastifyInstance extends CoreParts {
    /** Everything the core built, for plugins that need more than one part. */
    core: Core
  }
}

export interface CorePluginOptions {
  /** PostgreSQL schema to work in, instead of the connection's default. */
  databaseSchema?: string
}

/** The core (src/core.ts), opened from the configuration and closed with the app; routes use its parts. */
export default fp<CorePluginOptions>(async function core (fastify, options) {
  const opened = await openCore(fastify.config, {
    ...options,
    ...(fastify.hasDecorator('redis') ? { redis: fastify.redis } : {}),
    log: fastify.log
  })
  fastify.addHook('onClose', opened.close)
  fastify.decorate('core', opened)
  const { config, close, ...parts } = opened
  for (const [name, part] of Object.entries(parts)) fastify.decorate(name, part as never)
}, { name: 'core', dependencies: ['config'] })
