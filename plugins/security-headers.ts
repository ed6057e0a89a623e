import helmet from '@fastify/helmet'
import fp from 'fastify-plugin'

/** Helmet's defaults; the Swagger UI routes set their own CSP (see plugins/swagger.ts). */
export default fp(async function securityHeaders (fastify) {
  await fastify.register(helmet, { global: true })
}, { name: 'security-headers' })
