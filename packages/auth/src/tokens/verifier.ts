import { createVerifier } from 'fast-jwt'
import QuickLRU from 'quick-lru'
import { InvalidTokenError } from '../errors.js'
import { ACCESS_TOKEN_TYPE, actorDepth, MAX_TOKEN_LENGTH, REQUIRED_CLAIMS, type AccessClaims, type SigningAlgorithm } from './claims.js'
import { isFinal, refusal, toInvalidTokenError, TOO_LONG, UNKNOWN_KEY, WRONG_CLAIM_TYPE, WRONG_ISSUER_OR_AUDIENCE, wrongIssuerOrAudience } from './refusals.js'
import { claimsRefusal, createTokenDecoder, type TokenHeader } from './unverified-token.js'

export type { TokenHeader } from './unverified-token.js'

export interface VerifyConstraints {
  issuer: string
  audience: string
  /** Leeway for clock skew between the issuer and this verifier, applied to `exp` and `nbf`. */
  clockToleranceSeconds?: number
  /** How many verified tokens to remember; 0 turns the cache off. */
  cacheSize?: number
}

/**
 * As VerifyConstraints, or with no audience at all: only for the token exchange, which takes tokens of
 * several audiences and checks `aud` itself against the exchanging client's. A relying service always
 * names its audience.
 */
export type ClaimConstraints = Omit<VerifyConstraints, 'audience'> & { audience: string | undefined }

/** Checks one token's signature and claims against one key; throws fast-jwt's TokenError. */
export type SignatureCheck = ((token: string) => AccessClaims) & {
  /** For a key accepted only until then (epoch ms): a token it verified is never remembered past it. */
  acceptUntil?: number
}

/**
 * Picks the check for a token from its header: undefined when no known key fits, a promise while the
 * key set is being fetched again (a remote key set meeting a new `kid`).
 */
export type KeyResolver = (header: TokenHeader) => SignatureCheck | undefined | Promise<SignatureCheck | undefined>

/** A token's claims, or why it is refused: returned rather than thrown, as refusals can come in floods. */
export type Verdict = AccessClaims | InvalidTokenError

export const toleranceMs = (constraints: ClaimConstraints): number => (constraints.clockToleranceSeconds ?? 5) * 1000

/** fast-jwt's verifier options for Tollgate's access tokens: every claim check is fast-jwt's own. */
export function verifierOptions (algorithm: SigningAlgorithm, constraints: ClaimConstraints) {
  return {
    algorithms: [algorithm],
    allowedIss: constraints.issuer,
    ...(constraints.audience === undefined ? {} : { allowedAud: constraints.audience }),
    requiredClaims: REQUIRED_CLAIMS,
    checkTyp: ACCESS_TOKEN_TYPE,
    clockTolerance: toleranceMs(constraints)
  }
}

export function signatureCheck (algorithm: SigningAlgorithm, key: string | Buffer, constraints: ClaimConstraints): SignatureCheck {
  return createVerifier({ ...verifierOptions(algorithm, constraints), key, cache: false })
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
    // A route checking `act.sub` must never meet a non-string there, nor a chain without end.
    actorDepth(claims.act) >= 0 &&
    typeof claims.sub === 'string' &&
    typeof claims.jti === 'string' &&
    typeof claims.scope === 'string' &&
    Array.isArray(claims.roles) && claims.roles.every((role) => typeof role === 'string')
}

/** How many refused tokens to remember, and how long one may be: a flood of junk must not cost memory. */
const REFUSED_CACHE_SIZE = 1000
const REFUSED_MAX_LENGTH = 2048

/**
 * Verifies access tokens against a key set, remembering the answers, keyed by the token string itself:
 * a repeated token costs one map lookup and an expiry comparison. Verified tokens are never remembered
 * past their `exp`; refused ones only when the refusal is final (see `isFinal`), so a client retrying an
 * expired or forged token costs no signature check either.
 *
 * A caller on a keep-alive connection sends the same token again and again, and hashing a ~500-character
 * string for the map lookup is the largest cost left on that path. So the last answer on each connection
 * is also kept beside it: a string comparison, far cheaper than the hash, finds it.
 */
export function createAccessTokenVerifier (constraints: ClaimConstraints, resolve: KeyResolver) {
  const tolerance = toleranceMs(constraints)
  const expectations = { issuer: constraints.issuer, audience: constraints.audience, toleranceMs: tolerance }
  const wrongClaims = wrongIssuerOrAudience(constraints.issuer, constraints.audience)
  const named = (error: InvalidTokenError): InvalidTokenError => error === WRONG_ISSUER_OR_AUDIENCE ? wrongClaims : error
  const cacheSize = constraints.cacheSize ?? 10_000
  // quick-lru (the hashlru scheme: two plain Maps, the older dropped whole when the newer fills) keeps a
  // hit to one or two Map lookups; lru-cache's bookkeeping per hit showed in profiles of the hot path.
  const verified = cacheSize > 0 ? new QuickLRU<string, AccessClaims>({ maxSize: cacheSize }) : undefined
  const refused = cacheSize > 0 ? new QuickLRU<string, InvalidTokenError>({ maxSize: REFUSED_CACHE_SIZE }) : undefined
  // Looked up only once something was refused: a service that never meets a bad token never hashes for it.
  let anyRefused = false
  const lastOnConnection = new WeakMap<object, { token: string, verdict: Verdict, generation: number }>()
  const decodeToken = createTokenDecoder()
  // Bumped when the keys change, so what connections remember is forgotten with the caches.
  let generation = 0
  /**
   * How each accepted token was found, read by the metrics when scraped: plain increments, because this
   * runs on every request.
   */
  const accepted = { remembered: 0, cached: 0, verified: 0 }

  const unexpired = (claims: AccessClaims): boolean => claims.exp * 1000 + tolerance > Date.now()

  function remember (token: string, verdict: Verdict, connection: object | undefined): Verdict {
    if (connection !== undefined) lastOnConnection.set(connection, { token, verdict, generation })
    return verdict
  }

  function refuse (token: string, error: InvalidTokenError, connection: object | undefined): InvalidTokenError {
    if (refused === undefined || !isFinal(error) || token.length > REFUSED_MAX_LENGTH) return error
    refused.set(token, error)
    anyRefused = true
    remember(token, error, connection)
    return error
  }

  function check (token: string, signature: SignatureCheck | undefined, connection: object | undefined): Verdict {
    if (signature === undefined) return UNKNOWN_KEY
    let claims: AccessClaims
    try {
      claims = signature(token)
    } catch (error) {
      return refuse(token, named(toInvalidTokenError(error)), connection)
    }
    if (!isAccessClaims(claims)) return refuse(token, WRONG_CLAIM_TYPE, connection)
    accepted.verified++
    // A token outliving its key's window is checked afresh each time, so the window ends for it too.
    if (verified !== undefined && (signature.acceptUntil === undefined || claims.exp * 1000 + tolerance <= signature.acceptUntil)) {
      verified.set(token, claims)
      remember(token, claims, connection)
    }
    return claims
  }

  /**
   * The token's claims, or the InvalidTokenError saying why not; a promise only while a remote key set is
   * fetched again. `connection` (the request's socket) is any object that lives as long as the connection.
   */
  function judge (token: string, connection?: object): Verdict | Promise<Verdict> {
    if (connection !== undefined) {
      const last = lastOnConnection.get(connection)
      if (last !== undefined && last.token === token && last.generation === generation) {
        const { verdict } = last
        if (verdict instanceof InvalidTokenError) return verdict
        if (unexpired(verdict)) {
          accepted.remembered++
          return verdict
        }
      }
    }
    // Before any lookup, which would hash the whole string.
    if (token.length > MAX_TOKEN_LENGTH) return refusal(TOO_LONG)
    const cached = verified?.get(token)
    if (cached !== undefined) {
      if (unexpired(cached)) {
        accepted.cached++
        return remember(token, cached, connection)
      }
      verified?.delete(token)
    }
    const known = anyRefused ? refused?.get(token) : undefined
    if (known !== undefined) return remember(token, known, connection)

    const unverified = decodeToken(token)
    if (unverified instanceof InvalidTokenError) return refuse(token, unverified, connection)
    const early = claimsRefusal(unverified.payload, expectations, Date.now())
    if (early !== undefined) return refuse(token, named(early), connection)
    let signature
    try {
      signature = resolve(unverified.header)
    } catch (error) {
      return toInvalidTokenError(error)
    }
    return signature instanceof Promise
      ? signature.then((resolved) => check(token, resolved, connection), toInvalidTokenError)
      : check(token, signature, connection)
  }

  /** As `judge`, for callers that want the refusal thrown. */
  function verify (token: string, connection?: object): AccessClaims | Promise<AccessClaims> {
    const verdict = judge(token, connection)
    return verdict instanceof Promise ? verdict.then(orThrow) : orThrow(verdict)
  }

  /**
   * Forgets every answer, so each token is checked against the keys again: for when a key is dropped or
   * replaced. Keys only added need nothing: a token naming an unknown key is never remembered.
   */
  const forgetVerified = (): void => {
    verified?.clear()
    refused?.clear()
    anyRefused = false
    generation++
  }

  return { judge, verify, forgetVerified, accepted }
}

function orThrow (verdict: Verdict): AccessClaims {
  if (verdict instanceof InvalidTokenError) throw verdict
  return verdict
}

export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>

/** What the guards need of a verifier: Tollgate's own, or one over a remote key set. */
export type TokenVerifier = Pick<AccessTokenVerifier, 'judge'>
