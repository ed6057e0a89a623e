import type { AsymmetricAlgorithm } from './claims.js'
import type { PublicJwk, PublicKey, SigningKey } from './keys.js'
import { signatureCheck, type KeyResolver, type SignatureCheck, type VerifyConstraints } from './verifier.js'

/** A key that signed tokens before the current one: its tokens verify until `acceptUntil` (epoch ms). */
export interface RetiredKey {
  key: PublicKey
  acceptUntil: number
}

export type LocalKeySetOptions = VerifyConstraints & (
  | { algorithm: 'HS256', secret: string }
  | { algorithm: AsymmetricAlgorithm, signingKey: SigningKey, retiredKeys?: RetiredKey[] }
)

export interface LocalKeySet {
  /** Picks the check for a token by its `kid`. */
  resolve: KeyResolver
  /** The public keys that verify live tokens, for the JWKS (empty with HS256). */
  publicKeys: () => PublicJwk[]
}

/**
 * The keys Tollgate verifies its own tokens with. With HS256 one secret does everything. With an
 * asymmetric algorithm the key is picked by `kid`: the current one, or a retired one until the tokens it
 * signed have all expired.
 */
export function createLocalKeySet (options: LocalKeySetOptions): LocalKeySet {
  if (options.algorithm === 'HS256') {
    const check = signatureCheck('HS256', options.secret, options)
    return { resolve: () => check, publicKeys: () => [] }
  }
  const { algorithm, signingKey, retiredKeys = [] } = options
  const checks = new Map<string, { check: SignatureCheck, acceptUntil: number }>([
    [signingKey.kid, { check: signatureCheck(algorithm, signingKey.pem, options), acceptUntil: Infinity }],
    ...retiredKeys
      .filter(({ key }) => key.kid !== signingKey.kid)
      .map(({ key, acceptUntil }) => [key.kid, { check: Object.assign(signatureCheck(algorithm, key.pem, options), { acceptUntil }), acceptUntil }] as const)
  ])
  return {
    resolve: ({ kid }) => {
      const entry = typeof kid === 'string' ? checks.get(kid) : undefined
      return entry !== undefined && Date.now() < entry.acceptUntil ? entry.check : undefined
    },
    publicKeys: () => [signingKey.jwk, ...retiredKeys.filter(({ acceptUntil }) => Date.now() < acceptUntil).map(({ key }) => key.jwk)]
  }
}
