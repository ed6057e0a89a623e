/**
 * Tollgate as a package: `buildApp` builds the whole service. A service that only verifies Tollgate's
 * tokens imports `tollgate/auth` instead, which loads the verifier alone.
 */
export { buildApp, type BuildAppOptions } from './app.js'
export * from './auth.js'
