import { createLocalKeySet, type LocalKeySetOptions } from './local-key-set.js'
import { createAccessTokenSigner } from './signer.js'
import { createAccessTokenVerifier } from '@tollgate/auth/tokens/verifier'

export type TokenServiceOptions = LocalKeySetOptions & { ttlSeconds: number }

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

  return {
    algorithm: options.algorithm,
    issue: signer.issue,
    judge: verifier.judge,
    verify: verifier.verify,
    /** How many accepted tokens were remembered, cached or verified in full. */
    accepted: verifier.accepted,
    publicKeys: keySet.publicKeys
  }
}

export type TokenService = ReturnType<typeof createTokenService>
