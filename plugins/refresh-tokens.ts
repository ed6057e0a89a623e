import fp from 'fastify-plugin'
import { createRefreshTokenStore, type RefreshTokenStore } from '../src/auth/refresh-tokens.js'

declare module 'fastify' {
  interface FastifyInstance {
    refreshTokens: RefreshTokenStore
  }
}

export default fp(async function refreshTokens (fastify) {
  fastify.decorate('refreshTokens', createRefreshTokenStore(fastify.db, fastify.config.REFRESH_TOKEN_TTL))
}, { name: 'refresh-tokens', dependencies: ['database'] })
