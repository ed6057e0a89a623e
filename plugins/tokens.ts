import fp from 'fastify-plugin'
import { createTokenService, type TokenService } from '../src/auth/tokens.js'

declare module 'fastify' {
  interface FastifyInstance {
    tokens: TokenService
  }
}

/** The access-token signer and verifier, configured once from the environment. */
export default fp(async function tokens (fastify) {
  const { config } = fastify
  if (config.JWT_SECRET === undefined) throw new Error('JWT_SECRET is required') // checkConfig has said why already
  fastify.decorate('tokens', createTokenService({
    algorithm: 'HS256',
    signingKey: config.JWT_SECRET,
    verifyKey: config.JWT_SECRET,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL
  }))
}, { name: 'tokens', dependencies: ['config'] })
