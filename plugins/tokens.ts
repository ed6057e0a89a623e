import fp from 'fastify-plugin'
import { CLOCK_LEEWAY_SECONDS } from '../src/auth/claims.js'
import { loadPublicKey, loadSigningKey, readPem, type PublicKey, type SigningKey } from '../src/auth/keys.js'
import type { AsymmetricAlgorithm } from '../src/auth/claims.js'
import { recordSigningKeys } from '../src/auth/signing-keys-store.js'
import { createTokenService, type TokenService } from '../src/auth/tokens.js'
import { ConfigError } from '../src/errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    tokens: TokenService
  }
}

/** Reads a key file named by a variable; any failure names the variable, never the key. */
function readKey<T> (variable: string, file: string, load: (pem: string) => T): T {
  try {
    return load(readPem(file))
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not a usable key: ${(error as Error).message}`
    throw new ConfigError(variable, `names ${file}, which ${reason}`)
  }
}

/**
 * The access-token signer and verifier, configured once from the environment. With an asymmetric
 * algorithm, the keys named in JWT_RETIRED_KEY_FILES keep verifying for one access-token lifetime after
 * they stopped signing (as recorded in the store, so every instance agrees), and are then dropped.
 */
export default fp(async function tokens (fastify) {
  const { config } = fastify
  const constraints = {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL
  }
  if (config.JWT_ALGORITHM === 'HS256') {
    // checkConfig has refused a missing secret already.
    fastify.decorate('tokens', createTokenService({ ...constraints, algorithm: 'HS256', secret: config.JWT_SECRET ?? '' }))
    return
  }

  const algorithm: AsymmetricAlgorithm = config.JWT_ALGORITHM
  const signingKey: SigningKey = readKey('JWT_PRIVATE_KEY_FILE', config.JWT_PRIVATE_KEY_FILE ?? '', (pem) => loadSigningKey(algorithm, pem))
  const retired: PublicKey[] = (config.JWT_RETIRED_KEY_FILES ?? '').split(',').map((file) => file.trim()).filter((file) => file !== '')
    .map((file) => readKey('JWT_RETIRED_KEY_FILES', file, (pem) => loadPublicKey(algorithm, pem)))
  const retiredAt = await recordSigningKeys(fastify.db, signingKey.kid, retired.map((key) => key.kid))
  // Tokens signed just before retirement live one access-token lifetime, plus the verifiers' clock leeway.
  const graceMs = (config.ACCESS_TOKEN_TTL + CLOCK_LEEWAY_SECONDS) * 1000
  const retiredKeys = retired.filter((key) => key.kid !== signingKey.kid).map((key) => ({ key, acceptUntil: (retiredAt.get(key.kid) ?? 0) + graceMs }))
  for (const { key, acceptUntil } of retiredKeys) {
    if (acceptUntil > Date.now()) fastify.log.info({ kid: key.kid, until: new Date(acceptUntil).toISOString() }, 'a retired key still verifies the tokens it signed')
    else fastify.log.info({ kid: key.kid }, 'a retired key\'s tokens have all expired: it can be removed from JWT_RETIRED_KEY_FILES')
  }
  fastify.log.info({ kid: signingKey.kid, algorithm }, 'signing access tokens')
  fastify.decorate('tokens', createTokenService({ ...constraints, algorithm, signingKey, retiredKeys }))
}, { name: 'tokens', dependencies: ['config', 'database'] })
