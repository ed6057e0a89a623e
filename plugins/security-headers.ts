import helmet from '@fastify/helmet'
import fp from 'fastify-plugin'

/**
 * Helmet's defaults without `upgrade-insecure-requests`: Tollgate serves plain http on its own
 * (127.0.0.1:3000), and that directive would send browsers to an https port nobody listens on.
 * Behind a TLS proxy every link is already relative, so it adds nothing there. The Swagger UI
 * routes set their own CSP (see plugins/swagger.ts).
 */
export default fp(async function securityHeaders (fastify) {
  await fastify.register(helmet, {
    global: true,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } }
  })
}, { name: 'security-headers' })
