import type { FastifyJWTOptions } from '@fastify/jwt'
import { createLocalKeySet, type LocalKeySetOptions } from './local-key-set.js'
import { createAccessTokenSigner, signerOptions } from './signer.js'
import { createAccessTokenVerifier, verifierOptions } from './verifier.js'

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
  const jwtPluginOptions: FastifyJWTOptions = {
    secret: asymmetric ? { private: options.signingKey.privatePem, public: options.signingKey.pem } : options.secret,
    sign: signerOptions({ ...options, ...(kid === undefined ? {} : { kid }) }),
    verify: verifierOptions(options.algorithm, options)
  }

  return {
    algorithm: options.algorithm,
    issue: signer.issue,
    verify: verifier.verify,
    /** How many accepted tokens were remembered, cached or verified in full. */
    accepted: verifier.accepted,
    publicKeys: keySet.publicKeys,
    /**
     * The same algorithm, issuer, audience and type, in the shape @fastify/jwt takes, for code that calls
     * `request.jwtVerify()`. It knows only the current key: `authenticate` is the check that also accepts
     * retired keys, refuses key-source headers and consults revocations.
     */
    jwtPluginOptions
  }
}

export type TokenService = ReturnType<typeof createTokenService>
