import { randomUUID } from 'node:crypto'
import { createSigner, type Algorithm } from 'fast-jwt'
import type { PublicJwk, PublicKey, SigningKey } from './keys.js'
import {
  ACCESS_TOKEN_TYPE, createAccessTokenVerifier, signatureCheck, verifierOptions,
  type KeyResolver, type SignatureCheck, type VerifyConstraints
} from './verifier.js'

export { ACCESS_TOKEN_TYPE, InvalidTokenError, MAX_TOKEN_LENGTH } from './verifier.js'

/** The payload of every access token Tollgate issues (CONTRACT.md, "Access token"). */
export interface AccessClaims {
  sub: string
  iat: number
  nbf: number
  exp: number
  jti: string
  iss: string
  aud: string
  roles: string[]
  /** Space-separated scopes (RFC 6749 §3.3). */
  scope: string
  /** The login session (refresh-token family) the token belongs to; absent for client tokens. */
  sid?: string
  /** RFC 9068 §2.2: the client the token was issued to; present on client credentials tokens. */
  client_id?: string
}

export interface TokenSubject {
  id: string
  roles: readonly string[]
  scope?: string
  sessionId?: string
  clientId?: string
}

export interface IssuedToken {
  token: string
  claims: AccessClaims
  /** Seconds until the token expires, for the token response's `expires_in`. */
  expiresIn: number
}

export type SigningAlgorithm = Extract<Algorithm, 'HS256' | 'RS256' | 'ES256' | 'EdDSA'>

/** A key that signed tokens before the current one: its tokens verify until `acceptUntil` (epoch ms). */
export interface RetiredKey {
  key: PublicKey
  acceptUntil: number
}

export type TokenServiceOptions = VerifyConstraints & {
  ttlSeconds: number
} & (
  | { algorithm: 'HS256', secret: string }
  | { algorithm: Exclude<SigningAlgorithm, 'HS256'>, signingKey: SigningKey, retiredKeys?: RetiredKey[] }
)

/**
 * Issues and verifies access tokens. With HS256 one secret does both. With an asymmetric algorithm the
 * current key signs (its `kid`, an RFC 7638 thumbprint, in the header) and verification picks the key by
 * `kid`: the current one, or a retired one until the tokens it signed have all expired.
 */
export function createTokenService (options: TokenServiceOptions) {
  const { issuer, audience, ttlSeconds } = options
  let signingPem: string
  let resolve: KeyResolver
  let publicKeys: () => PublicJwk[]
  let jwtSecret: string | { private: string, public: string }

  if (options.algorithm === 'HS256') {
    const check = signatureCheck('HS256', options.secret, options)
    signingPem = options.secret
    resolve = () => check
    publicKeys = () => []
    jwtSecret = options.secret
  } else {
    const { algorithm, signingKey, retiredKeys = [] } = options
    const checks = new Map<string, { check: SignatureCheck, acceptUntil: number }>([
      [signingKey.kid, { check: signatureCheck(algorithm, signingKey.pem, options), acceptUntil: Infinity }],
      ...retiredKeys
        .filter(({ key }) => key.kid !== signingKey.kid)
        .map(({ key, acceptUntil }) => [key.kid, { check: Object.assign(signatureCheck(algorithm, key.pem, options), { acceptUntil }), acceptUntil }] as const)
    ])
    signingPem = signingKey.privatePem
    resolve = ({ kid }) => {
      const entry = typeof kid === 'string' ? checks.get(kid) : undefined
      return entry !== undefined && Date.now() < entry.acceptUntil ? entry.check : undefined
    }
    publicKeys = () => [signingKey.jwk, ...retiredKeys.filter(({ acceptUntil }) => Date.now() < acceptUntil).map(({ key }) => key.jwk)]
    jwtSecret = { private: signingKey.privatePem, public: signingKey.pem }
  }

  const signerOptions = {
    algorithm: options.algorithm,
    iss: issuer,
    aud: audience,
    header: { alg: options.algorithm, typ: ACCESS_TOKEN_TYPE },
    ...('signingKey' in options ? { kid: options.signingKey.kid } : {})
  }
  const sign = createSigner({ ...signerOptions, key: signingPem })
  const verifier = createAccessTokenVerifier(options, resolve)

  /**
   * Signs an access token for `subject`. `notBefore` (epoch seconds) raises `iat` and `nbf` to a per-user
   * cut-off that lies in the current second, so a token issued right after "log out everywhere" is valid.
   */
  function issue (subject: TokenSubject, notBefore = 0): IssuedToken {
    const now = Math.max(Math.floor(Date.now() / 1000), notBefore)
    const claims = {
      sub: subject.id,
      iat: now,
      nbf: now,
      exp: now + ttlSeconds,
      jti: randomUUID(),
      roles: [...subject.roles],
      scope: subject.scope ?? '',
      ...(subject.sessionId === undefined ? {} : { sid: subject.sessionId }),
      ...(subject.clientId === undefined ? {} : { client_id: subject.clientId })
    }
    const token: string = sign(claims)
    return { token, claims: { ...claims, iss: issuer, aud: audience }, expiresIn: ttlSeconds }
  }

  return {
    algorithm: options.algorithm,
    issue,
    verify: verifier.verify,
    /** The public keys that verify live tokens, for the JWKS (empty with HS256). */
    publicKeys,
    /**
     * The same algorithm, issuer, audience and type, in the shape @fastify/jwt takes, for code that calls
     * `request.jwtVerify()`. It knows only the current key: `authenticate` is the check that also accepts
     * retired keys, refuses key-source headers and consults revocations.
     */
    jwtPluginOptions: { secret: jwtSecret, sign: signerOptions, verify: verifierOptions(options.algorithm, options) }
  }
}

export type TokenService = ReturnType<typeof createTokenService>
