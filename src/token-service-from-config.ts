import type { Config } from './config/schema.js'
import type { Db } from './db/database.js'
import { ConfigError } from '@tollgate/auth/errors'
import { CLOCK_LEEWAY_SECONDS, type AsymmetricAlgorithm } from '@tollgate/auth/tokens/claims'
import { keyFileList, loadPublicKey, loadSigningKey, readKeyFile, type PublicKey, type SigningKey } from '@tollgate/auth/tokens/keys'
import { recordSigningKeys } from './tokens/signing-keys-store.js'
import { createTokenService, type TokenService } from './tokens/token-service.js'

/** What the token service tells an operator at start: which key signs, which retired keys still verify. */
export interface KeyNotice {
  message: string
  details: Record<string, unknown>
}

/**
 * The access-token signer and verifier, configured once from the environment. With an asymmetric
 * algorithm, the keys named in JWT_RETIRED_KEY_FILES keep verifying for one access-token lifetime (the
 * longest a client has, if longer) after they stopped signing (as recorded in the store, so every
 * instance agrees), and are then dropped; the key in JWT_NEXT_KEY_FILE is published (and verifies)
 * before it signs.
 */
export async function tokenServiceFromConfig (config: Config, db: Db, notify: (notice: KeyNotice) => void): Promise<TokenService> {
  const constraints = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: config.ACCESS_TOKEN_TTL }
  // checkConfig has refused a missing secret already.
  if (config.JWT_ALGORITHM === 'HS256') return createTokenService({ ...constraints, algorithm: 'HS256', secret: config.JWT_SECRET ?? '' })

  const algorithm: AsymmetricAlgorithm = config.JWT_ALGORITHM
  const signingKey: SigningKey = readKeyFile('JWT_PRIVATE_KEY_FILE', config.JWT_PRIVATE_KEY_FILE ?? '', (pem) => loadSigningKey(algorithm, pem))
  const retired: PublicKey[] = keyFileList(config.JWT_RETIRED_KEY_FILES)
    .map((file) => readKeyFile('JWT_RETIRED_KEY_FILES', file, (pem) => loadPublicKey(algorithm, pem)))
  const nextKey = config.JWT_NEXT_KEY_FILE === undefined ? undefined : readKeyFile('JWT_NEXT_KEY_FILE', config.JWT_NEXT_KEY_FILE, (pem) => loadSigningKey(algorithm, pem))
  if (nextKey?.kid === signingKey.kid) throw new ConfigError('JWT_NEXT_KEY_FILE', 'names the key JWT_PRIVATE_KEY_FILE signs with: the next key must be a new one (`tollgate keys generate`)')
  if (nextKey !== undefined && retired.some((key) => key.kid === nextKey.kid)) throw new ConfigError('JWT_NEXT_KEY_FILE', 'names a key listed in JWT_RETIRED_KEY_FILES: a retired key never signs again')
  const retiredAt = await recordSigningKeys(db, signingKey.kid, retired.map((key) => key.kid))
  // Tokens signed just before retirement live one access-token lifetime, plus the verifiers' clock leeway;
  // a client's own lifetime (`client add --ttl`) may be the longer one.
  const longestClientTtl = await db.selectFrom('clients').select((eb) => eb.fn.max('token_ttl').as('longest')).executeTakeFirst()
  const graceMs = (Math.max(config.ACCESS_TOKEN_TTL, Number(longestClientTtl?.longest ?? 0)) + CLOCK_LEEWAY_SECONDS) * 1000
  const retiredKeys = retired.filter((key) => key.kid !== signingKey.kid).map((key) => ({ key, acceptUntil: (retiredAt.get(key.kid) ?? 0) + graceMs }))
  for (const { key, acceptUntil } of retiredKeys) {
    notify(acceptUntil > Date.now()
      ? { details: { kid: key.kid, until: new Date(acceptUntil).toISOString() }, message: 'a retired key still verifies the tokens it signed' }
      : { details: { kid: key.kid }, message: 'a retired key\'s tokens have all expired: it can be removed from JWT_RETIRED_KEY_FILES' })
  }
  notify({ details: { kid: signingKey.kid, algorithm }, message: 'signing access tokens' })
  if (nextKey !== undefined) notify({ details: { kid: nextKey.kid }, message: 'publishing the next signing key: `tollgate keys rotate` switches to it' })
  return createTokenService({ ...constraints, algorithm, signingKey, retiredKeys, ...(nextKey === undefined ? {} : { nextKey }) })
}
