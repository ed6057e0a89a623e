import { createVerifier, TokenError } from 'fast-jwt'
import QuickLRU from 'quick-lru'
import { InvalidTokenError } from '../errors.js'
import { ACCESS_TOKEN_TYPE, MAX_TOKEN_LENGTH, REQUIRED_CLAIMS, type AccessClaims, type SigningAlgorithm } from './claims.js'

export interface VerifyConstraints {
  issuer: string
  audience: string
  /** Leeway for clock skew between the issuer and this verifier, applied to `exp` and `nbf`. */
  clockToleranceSeconds?: number
  /** How many verified tokens to remember; 0 turns the cache off. */
  cacheSize?: number
}

/** Checks one token's signature and claims against one key; throws fast-jwt's TokenError. */
export type SignatureCheck = ((token: string) => AccessClaims) & {
  /** For a key accepted only until then (epoch ms): a token it verified is never remembered past it. */
  acceptUntil?: number
}

export interface TokenHeader {
  alg?: unknown
  kid?: unknown
  [name: string]: unknown
}

/**
 * Picks the check for a token from its header: undefined when no known key fits, a promise while the
 * key set is being fetched again (a remote key set meeting a new `kid`).
 */
export type KeyResolver = (header: TokenHeader) => SignatureCheck | undefined | Promise<SignatureCheck | undefined>

export const toleranceMs = (constraints: VerifyConstraints): number => (constraints.clockToleranceSeconds ?? 5) * 1000

/** fast-jwt's verifier options for Tollgate's access tokens: every claim check is fast-jwt's own. */
export function verifierOptions (algorithm: SigningAlgorithm, constraints: VerifyConstraints) {
  return {
    algorithms: [algorithm],
    allowedIss: constraints.issuer,
    allowedAud: constraints.audience,
    requiredClaims: REQUIRED_CLAIMS,
    checkTyp: ACCESS_TOKEN_TYPE,
    clockTolerance: toleranceMs(constraints)
  }
}

export function signatureCheck (algorithm: SigningAlgorithm, key: string | Buffer, constraints: VerifyConstraints): SignatureCheck {
  return createVerifier({ ...verifierOptions(algorithm, constraints), key, cache: false })
}

const DESCRIPTIONS: Record<string, string> = {
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
  [TokenError.codes.invalidCritHeader]: 'The access token has a critical header Tollgate does not support',
  [TokenError.codes.malformed]: 'The access token is malformed',
  TOLLGATE_KEY_SOURCE_HEADER: 'The access token names a key source, which Tollgate never follows',
  TOLLGATE_TOO_LONG: 'The access token is too long'
}

/**
 * One error per reason, built once: a refusal is as common as a success under a flood of bad tokens, and
 * neither its message nor its code depends on the token.
 */
const REFUSALS = new Map(Object.entries(DESCRIPTIONS).map(([reason, description]) => [
  reason,
  new InvalidTokenError(reason === TokenError.codes.expired ? 'ERR_TOKEN_EXPIRED' : 'ERR_TOKEN_INVALID', description, reason)
]))

const refusal = (reason: string): InvalidTokenError =>
  REFUSALS.get(reason) ?? REFUSALS.get(TokenError.codes.malformed) as InvalidTokenError

function toInvalidTokenError (error: unknown): InvalidTokenError {
  if (error instanceof InvalidTokenError) return error
  return refusal(error instanceof TokenError ? error.code : TokenError.codes.malformed)
}

const malformed = (): InvalidTokenError => refusal(TokenError.codes.malformed)
const unknownKey = (): InvalidTokenError => refusal(TokenError.codes.missingKey)

/** Header parameters that point at keys elsewhere (RFC 7515 §4.1.2–4.1.6): never followed, always refused. */
const KEY_SOURCE_HEADERS = ['jku', 'jwk', 'x5u', 'x5c']

function decodeHeader (token: string): TokenHeader {
  const end = token.indexOf('.')
  if (end <= 0) throw malformed()
  let header: unknown
  try {
    header = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8'))
  } catch {
    throw malformed()
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw malformed()
  if (KEY_SOURCE_HEADERS.some((name) => name in header)) {
    throw refusal('TOLLGATE_KEY_SOURCE_HEADER')
  }
  return header as TokenHeader
}

/**
 * The claims fast-jwt does not type-check itself and every guard relies on. `iat` and `sid` are among
 * them: fast-jwt checks only `exp` and `nbf`, a non-numeric `iat` would slip past the per-user cut-off
 * comparison, and a non-string `sid` past the lookup of logged-out sessions.
 */
function isAccessClaims (claims: AccessClaims): boolean {
  return typeof claims.iat === 'number' &&
    (claims.sid === undefined || typeof claims.sid === 'string') &&
    (claims.client_id === undefined || typeof claims.client_id === 'string') &&
    typeof claims.sub === 'string' &&
    typeof claims.jti === 'string' &&
    typeof claims.scope === 'string' &&
    Array.isArray(claims.roles) && claims.roles.every((role) => typeof role === 'string')
}

/**
 * Verifies access tokens against a key set, remembering the tokens already verified, keyed by the token
 * string itself: a repeated token costs one map lookup and an expiry comparison. Only verified tokens
 * are remembered, and never past their `exp`.
 *
 * A caller on a keep-alive connection sends the same token again and again, and hashing a ~500-character
 * string for the map lookup is the largest cost left on that path. So the last token verified on each
 * connection is also kept beside it: a string comparison, far cheaper than the hash, finds it.
 */
export function createAccessTokenVerifier (constraints: VerifyConstraints, resolve: KeyResolver) {
  const tolerance = toleranceMs(constraints)
  const cacheSize = constraints.cacheSize ?? 10_000
  // quick-lru (the hashlru scheme: two plain Maps, the older dropped whole when the newer fills) keeps a
  // hit to one or two Map lookups; lru-cache's bookkeeping per hit showed in profiles of the hot path.
  const cache = cacheSize > 0 ? new QuickLRU<string, AccessClaims>({ maxSize: cacheSize }) : undefined
  const lastOnConnection = new WeakMap<object, { token: string, claims: AccessClaims, generation: number }>()
  // Bumped by forgetVerified, so what connections remember is forgotten with the cache.
  let generation = 0
  /**
   * How each accepted token was found, read by the metrics when scraped: plain increments, because this
   * is the path every protected request takes.
   */
  const accepted = { remembered: 0, cached: 0, verified: 0 }

  const unexpired = (claims: AccessClaims): boolean => claims.exp * 1000 + tolerance > Date.now()

  function remember (token: string, claims: AccessClaims, connection: object | undefined): void {
    if (connection !== undefined) lastOnConnection.set(connection, { token, claims, generation })
  }

  function check (token: string, signature: SignatureCheck | undefined, connection: object | undefined): AccessClaims {
    if (signature === undefined) throw unknownKey()
    let claims: AccessClaims
    try {
      claims = signature(token)
    } catch (error) {
      throw toInvalidTokenError(error)
    }
    if (!isAccessClaims(claims)) throw refusal(TokenError.codes.invalidClaimType)
    // A token outliving its key's window is checked afresh each time, so the window ends for it too.
    if (cache !== undefined && (signature.acceptUntil === undefined || claims.exp * 1000 + tolerance <= signature.acceptUntil)) {
      cache.set(token, claims)
      remember(token, claims, connection)
    }
    accepted.verified++
    return claims
  }

  /**
   * The token's claims, or InvalidTokenError; a promise only while a remote key set is fetched again.
   * `connection` (the request's socket) is any object that lives as long as the connection.
   */
  function verify (token: string, connection?: object): AccessClaims | Promise<AccessClaims> {
    if (connection !== undefined) {
      const last = lastOnConnection.get(connection)
      if (last !== undefined && last.token === token && last.generation === generation && unexpired(last.claims)) {
        accepted.remembered++
        return last.claims
      }
    }
    // Before the cache lookup, which would hash the whole string.
    if (token.length > MAX_TOKEN_LENGTH) throw refusal('TOLLGATE_TOO_LONG')
    const cached = cache?.get(token)
    if (cached !== undefined) {
      if (unexpired(cached)) {
        remember(token, cached, connection)
        accepted.cached++
        return cached
      }
      cache?.delete(token)
    }
    const signature = resolve(decodeHeader(token))
    return signature instanceof Promise
      ? signature.then((resolved) => check(token, resolved, connection), (error: unknown) => { throw toInvalidTokenError(error) })
      : check(token, signature, connection)
  }

  /** Forgets every verified token, so each is checked against the keys again. */
  const forgetVerified = (): void => {
    cache?.clear()
    generation++
  }

  return { verify, forgetVerified, accepted }
}

export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>

/** What the guards need of a verifier: Tollgate's own, or one over a remote key set. */
export type TokenVerifier = Pick<AccessTokenVerifier, 'verify'>
