import fp from 'fastify-plugin'
import { createSessionService, type SessionService } from '../src/auth/sessions.js'

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionService
  }
}

export default fp(async function sessions (fastify) {
  fastify.decorate('sessions', createSessionService(fastify))
}, { name: 'sessions', dependencies: ['users', 'tokens', 'revocations', 'refresh-tokens'] })
