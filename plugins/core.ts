import fp from 'fastify-plugin'
import { openCore, type Core } from '../src/core.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Core['db']
    users: Core['users']
    passwords: Core['passwords']
    tokens: Core['tokens']
    refreshTokens: Core['refreshTokens']
    revocations: Core['revocations']
    revocationStore: Core['revocationStore']
    sessions: Core['sessions']
    userSessions: Core['userSessions']
    accounts: Core['accounts']
    clients: Core['clients']
    clientCredentials: Core['clientCredentials']
    clientAdministration: Core['clientAdministration']
    introspection: Core['introspection']
    revocation: Core['revocation']
    revocationFeed: Core['revocationFeed']
  }
}

/** The parts routes use, each decorated under its own name. */
const PARTS = ['db', 'users', 'passwords', 'tokens', 'refreshTokens', 'revocations', 'revocationStore', 'sessions', 'userSessions', 'accounts', 'clients', 'clientCredentials', 'clientAdministration', 'introspection', 'revocation', 'revocationFeed'] as const

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
  for (const part of PARTS) fastify.decorate(part, opened[part] as never)
}, { name: 'core', dependencies: ['config'] })

declare module 'fastify' {
  interface FastifyInstance {
    /** Everything the core built, for plugins that need more than one part. */
    core: Core
  }
}
