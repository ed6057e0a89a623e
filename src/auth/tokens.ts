import { randomUUID } from 'node:crypto'
import { createSigner, createVerifier, TokenError, type Algorithm, type SignerOptions, type VerifierOptions } from 'fast-jwt'
import { LRUCache } from 'lru-cache'

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
}

export interface TokenSubject {
  id: string
  roles: readonly string[]
  scope?: string
  sessionId?: string
}

export interface IssuedToken {
  token: string
  claims: AccessClaims
  /** Seconds until the token expires, for the token response's `expires_in`. */
  expiresIn: number
}

export type SigningAlgorithm = Extract<Algorithm, 'HS256' | 'RS256' | 'ES256' | 'EdDSA'>

export interface TokenServiceOptions {
  algorithm: SigningAlgorithm
  /** The HMAC secret, or the PEM private key of an asymmetric algorithm. */
  signingKey: string | Buffer
  /**
   * The HMAC secret or a PEM public key. Not a key function: fast-jwt makes any verifier with one
   * asynchronous, and `verify` is synchronous on purpose (it runs on every protected request).
   */
  verifyKey: string | Buffer
  keyId?: string
  issuer: string
  audience: string
  ttlSeconds: number
  /** Leeway for clock skew between Tollgate and its callers, applied to `exp` and `nbf`. */
  clockToleranceSeconds?: number
  /** How many verified tokens to remember; 0 turns the cache off. */
  cacheSize?: number
}

/**
 * RFC 9068's media type for JWT access tokens: it is set on issue and required on verify, so a JWT of
 * another kind signed with the same key is never accepted as an access token.
 */
export const ACCESS_TOKEN_TYPE = 'at+jwt'

/** Tokens longer than this are refused before any parsing (a JWT of ours is well under 1 KiB). */
export const MAX_TOKEN_LENGTH = 8192

/** Why a token was refused: `description` is safe to send in a `WWW-Authenticate` header. */
export class InvalidTokenError extends Error {
  constructor (readonly description: string, readonly reason: string) {
    super(description)
    this.name = 'InvalidTokenError'
  }
}

const DESCRIPTIONS: Partial<Record<string, string>> = {
  [TokenError.codes.expired]: 'The access token expired',
  [TokenError.codes.inactive]: 'The access token is not valid yet',
  [TokenError.codes.invalidSignature]: 'The access token signature is invalid',
  [TokenError.codes.invalidAlgorithm]: 'The access token algorithm is not accepted',
  [TokenError.codes.invalidClaimValue]: 'The access token was not issued for this audience or by this issuer',
  [TokenError.codes.missingRequiredClaim]: 'The access token is missing a required claim',
  [TokenError.codes.invalidClaimType]: 'The access token has a claim of the wrong type',
  [TokenError.codes.missingKey]: 'The access token was signed with an unknown key',
  [TokenError.codes.missingSignature]: 'The access token is not signed',
  [TokenError.codes.invalidType]: `The access token is not of type ${ACCESS_TOKEN_TYPE}`,
  [TokenError.codes.invalidCritHeader]: 'The access token has a critical header Tollgate does not support'
}

function toInvalidTokenError (error: unknown): InvalidTokenError {
  const code = error instanceof TokenError ? error.code : 'FAST_JWT_UNKNOWN'
  return new InvalidTokenError(DESCRIPTIONS[code] ?? 'The access token is malformed', code)
}

/**
 * Issues and verifies access tokens. Every check is fast-jwt's own (algorithm allow-list of one,
 * `iss`, `aud`, `exp`, `nbf`, `typ`, required claims, unknown `crit` headers); this module adds only a
 * cache of tokens already verified, keyed by the token string itself.
 */
export function createTokenService (options: TokenServiceOptions) {
  const toleranceMs = (options.clockToleranceSeconds ?? 5) * 1000

  const signerOptions: Partial<SignerOptions> = {
    algorithm: options.algorithm,
    iss: options.issuer,
    aud: options.audience,
    header: { alg: options.algorithm, typ: ACCESS_TOKEN_TYPE },
    ...(options.keyId === undefined ? {} : { kid: options.keyId })
  }
  const verifierOptions: Partial<VerifierOptions> = {
    algorithms: [options.algorithm],
    allowedIss: options.issuer,
    allowedAud: options.audience,
    requiredClaims: ['sub', 'iat', 'nbf', 'exp', 'jti', 'iss', 'aud'],
    checkTyp: ACCESS_TOKEN_TYPE,
    clockTolerance: toleranceMs
  }

  const sign = createSigner({ ...signerOptions, key: options.signingKey })
  const verifySignature = createVerifier({ ...verifierOptions, key: options.verifyKey })

  const cacheSize = options.cacheSize ?? 10_000
  const cache = cacheSize > 0 ? new LRUCache<string, AccessClaims>({ max: cacheSize }) : undefined

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
      exp: now + options.ttlSeconds,
      jti: randomUUID(),
      roles: [...subject.roles],
      scope: subject.scope ?? '',
      ...(subject.sessionId === undefined ? {} : { sid: subject.sessionId })
    }
    const token: string = sign(claims)
    return { token, claims: { ...claims, iss: options.issuer, aud: options.audience }, expiresIn: options.ttlSeconds }
  }

  /** Verifies an access token; throws InvalidTokenError with a description a client may see. */
  function verify (token: string): AccessClaims {
    // Before the cache lookup, which would hash the whole string.
    if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('The access token is too long', 'TOLLGATE_TOO_LONG')
    const cached = cache?.get(token)
    if (cached !== undefined) {
      // A cached entry is never served past its expiry: fast-jwt would refuse the token by now.
      if (cached.exp * 1000 + toleranceMs > Date.now()) return cached
      cache?.delete(token)
    }
    let claims: AccessClaims
    try {
      claims = verifySignature(token)
    } catch (error) {
      throw toInvalidTokenError(error)
    }
    if (!isAccessClaims(claims)) throw new InvalidTokenError('The access token has a claim of the wrong type', TokenError.codes.invalidClaimType)
    cache?.set(token, claims)
    return claims
  }

  return {
    issue,
    verify,
    /** The same constraints, in the shape @fastify/jwt takes, so `request.jwtVerify()` agrees with `verify`. */
    jwtPluginOptions: { sign: signerOptions, verify: verifierOptions }
  }
}

/**
 * The claims fast-jwt does not type-check itself and every guard relies on. `iat` and `sid` are among
 * them: fast-jwt checks only `exp` and `nbf`, a non-numeric `iat` would slip past the per-user cut-off
 * comparison, and a non-string `sid` past the lookup of logged-out sessions.
 */
function isAccessClaims (claims: AccessClaims): boolean {
  return typeof claims.iat === 'number' &&
    (claims.sid === undefined || typeof claims.sid === 'string') &&
    typeof claims.sub === 'string' &&
    typeof claims.jti === 'string' &&
    typeof claims.scope === 'string' &&
    Array.isArray(claims.roles) && claims.roles.every((role) => typeof role === 'string')
}

export type TokenService = ReturnType<typeof createTokenService>
