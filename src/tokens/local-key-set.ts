import type { AsymmetricAlgorithm } from '@tollgate/auth/tokens/claims'
import type { PublicJwk, PublicKey, SigningKey } from '@tollgate/auth/tokens/keys'
import { signatureCheck, type ClaimConstraints, type KeyResolver, type SignatureCheck } from '@tollgate/auth/tokens/verifier'

/** A key that signed tokens before the current one: its tokens verify until `acceptUntil` (epoch ms). */
export interface RetiredKey {
  key: PublicKey
  acceptUntil: number
}

export type LocalKeySetOptions = ClaimConstraints & (
  | { algorithm: 'HS256', secret: string }
  | { algorithm: AsymmetricAlgorithm, signingKey: SigningKey, retiredKeys?: RetiredKey[], nextKey?: PublicKey }
)

export interface LocalKeySet {
  /** Picks the check for a token by its `kid`. */
  resolve: KeyResolver
  /** The public keys that verify live tokens, for the JWKS (empty with HS256). */
  publicKeys: () => PublicJwk[]
}

/**
 * The keys Tollgate verifies its own tokens with. With HS256 one secret does everything. With an
 * asymmetric algorithm the key is picked by `kid`: the current one, a retired one until the tokens it
 * signed have all expired, or the next one. The next key is published before it signs, so every
 * verifier holds it at the switch; and it verifies here too, because during a rolling restart onto it
 * the instances not restarted yet meet the tokens of those already restarted.
 */
export function createLocalKeySet (options: LocalKeySetOptions): LocalKeySet {
  if (options.algorithm === 'HS256') {
    const check = signatureCheck('HS256', options.secret, options)
    return { resolve: () => check, publicKeys: () => [] }
  }
  const { algorithm, signingKey, retiredKeys = [], nextKey } = options
  const live = nextKey === undefined || nextKey.kid === signingKey.kid ? [signingKey] : [signingKey, nextKey]
  const retired = retiredKeys.filter(({ key }) => !live.some(({ kid }) => kid === key.kid))
  const checks = new Map<string, { check: SignatureCheck, acceptUntil: number }>([
    ...live.map((key) => [key.kid, { check: signatureCheck(algorithm, key.pem, options), acceptUntil: Infinity }] as const),
    ...retired.map(({ key, acceptUntil }) => [key.kid, { check: Object.assign(signatureCheck(algorithm, key.pem, options), { acceptUntil }), acceptUntil }] as const)
  ])
  return {
    resolve: ({ kid }) => {
      const entry = typeof kid === 'string' ? checks.get(kid) : undefined
      return entry !== undefined && Date.now() < entry.acceptUntil ? entry.check : undefined
    },
    publicKeys: () => [...live.map((key) => key.jwk), ...retired.filter(({ acceptUntil }) => Date.now() < acceptUntil).map(({ key }) => key.jwk)]
  }
}
