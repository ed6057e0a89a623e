/**
 * Tollgate as a package: `buildApp` builds the whole service; `tollgateAuth` is the verifier half alone,
 * for another Fastify service that accepts Tollgate's tokens (register it with a `jwksUrl`, or a
 * `publicKey` and `algorithm`, plus `issuer` and `audience`).
 */
export { buildApp, type BuildAppOptions } from './app.js'
export { default as tollgateAuth, type AuthPluginOptions, type AuthRequirement } from './plugins/auth.js'
export type { AccessClaims } from './src/auth/claims.js'
export { InvalidTokenError, TollgateError } from './src/errors.js'
