import { createLocalKeySet, type LocalKeySetOptions } from './local-key-set.js'
import { createAccessTokenSigner } from './signer.js'
import { createAccessTokenVerifier } from '@tollgate/auth/tokens/verifier'

export type TokenServiceOptions = LocalKeySetOptions & { audience: string, ttlSeconds: number }

/**
 * Tollgate's own access tokens: the signer, a verifier over its key set, and the public keys. Signing and
 * verifying live in their own modules and share only `claims.ts`; this puts them together from one set of
 * options.
 */
export function createTokenService (options: TokenServiceOptions) {
  const keySet = createLocalKeySet(options)
  const asymmetric = options.algorithm !== 'HS256'
  const key = asymmetric ? options.signingKey.privatePem : options.secret
  const kid = asymmetric ? options.signingKey.kid : undefined
  const signer = createAccessTokenSigner({ ...options, key, ...(kid === undefined ? {} : { kid }) })
  const verifier = createAccessTokenVerifier(options, keySet.resolve)
  // The token exchange takes Tollgate's tokens for other audiences too (a relying service trades the one
  // it was sent): the same keys, with no `aud` check here, and a cache of its own.
  const anyAudience = { ...options, audience: undefined }
  const exchangeVerifier = createAccessTokenVerifier(anyAudience, createLocalKeySet(anyAudience).resolve)

  return {
    algorithm: options.algorithm,
    /** ACCESS_TOKEN_TTL: the lifetime of a token whose client has none of its own. */
    ttlSeconds: options.ttlSeconds,
    issue: signer.issue,
    judge: verifier.judge,
    verify: verifier.verify,
    /** As `verify`, for a token of any audience: its caller must check `aud` itself. */
    verifyAnyAudience: exchangeVerifier.verify,
    /** How many accepted tokens were remembered, cached or verified in full. */
    accepted: verifier.accepted,
    publicKeys: keySet.publicKeys
  }
}

export type TokenService = ReturnType<typeof createTokenService>
