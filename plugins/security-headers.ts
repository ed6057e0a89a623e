import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'

/**
 * Every API answer: the OWASP REST Security Cheat Sheet's headers. JSON is never rendered, so helmet's
 * page-oriented headers add nothing to it but bytes, which every caller parses on every request.
 * `no-store` keeps tokens and user data out of caches; a route that may be cached (the JWKS) says so.
 */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY'
}

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
 * Helmet's defaults for the pages people open (Swagger UI), without `upgrade-insecure-requests`:
 * Tollgate serves plain http on its own, and that directive would send browsers to an https port nobody
 * listens on. Swagger UI then sets its own CSP (see plugins/swagger.ts).
 */
const DOCUMENT_HEADERS = { ...helmetHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }), 'cache-control': 'no-cache' }

/** An onRequest hook for routes serving pages; computed once, not per request as @fastify/helmet does. */
export function documentHeaders (_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  reply.headers(DOCUMENT_HEADERS)
  done()
}

export default fp(async function securityHeaders (fastify) {
  fastify.addHook('onRequest', function apiHeaders (_request, reply, done) {
    reply.headers(API_HEADERS)
    done()
  })
}, { name: 'security-headers' })
