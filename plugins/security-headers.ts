import type { IncomingMessage, ServerResponse } from 'node:http'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'

/**
 * Helmet's defaults without `upgrade-insecure-requests`: Tollgate serves plain http on its own
 * (127.0.0.1:3000), and that directive would send browsers to an https port nobody listens on.
 * Behind a TLS proxy every link is already relative, so it adds nothing there.
 */
const OPTIONS: HelmetOptions = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }

/** The headers helmet sets, learned once by running its middleware against a stand-in response. */
export function helmetHeaders (options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader (name: string, value: string | number | readonly string[]) { headers[name.toLowerCase()] = String(value) },
    removeHeader (name: string) { delete headers[name.toLowerCase()] }
  }
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => {})
  return headers
}

/**
 * Helmet's security headers on every answer. @fastify/helmet builds helmet's whole middleware chain
 * again on every request (its CSP parsing alone showed in profiles of the protected route), although
 * the headers never change: here they are computed once and copied onto each reply. The Swagger UI
 * routes replace the CSP with their own (see plugins/swagger.ts).
 */
export default fp(async function securityHeaders (fastify) {
  const headers = helmetHeaders(OPTIONS)
  fastify.addHook('onRequest', function securityHeaders (_request, reply, done) {
    reply.headers(headers)
    done()
  })
}, { name: 'security-headers' })
