/**
 * `@tollgate/auth`: the verifier half of Tollgate alone, for another Fastify service that accepts
 * Tollgate's tokens. It loads the guards, the token checks and what they need — no store, password
 * hashing, Redis or Swagger.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { tollgateAuth } from '@tollgate/auth'
 *
 * const app = Fastify()
 * await app.register(tollgateAuth, {
 *   jwksUrl: 'https://tollgate.example/.well-known/jwks.json',
 *   issuer: 'https://tollgate.example',
 *   audience: 'https://reports.example'
 * })
 * app.get('/reports', { config: { auth: { scopes: ['reports:read'] } } }, async (request) => listFor(request.user.sub))
 * ```
 */
export { default as tollgateAuth, type AuthPluginOptions, type AuthRequirement, type AuthSetting, type RelyingServiceOptions, type RevocationFeedOptions } from './plugin.js'
export type { AccessClaims } from './tokens/claims.js'
export type { ProtectedResourceOptions } from './http/protected-resource.js'
export { InsufficientScopeError, InvalidTokenError, TollgateError } from './errors.js'
