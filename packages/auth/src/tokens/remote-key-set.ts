import { TollgateError } from '../errors.js'
import type { AsymmetricAlgorithm } from './claims.js'
import { fetchFromIssuer } from './issuer-fetch.js'
import { publicKeyFromJwk } from './keys.js'
import { signatureCheck, type SignatureCheck, type TokenHeader, type VerifyConstraints } from './verifier.js'

export interface RemoteKeySetOptions {
  /**
   * Where the issuer publishes its keys, e.g. `https://tollgate.example/.well-known/jwks.json`; or how to
   * find it (from the issuer's metadata), tried again at the next fetch until it succeeds.
   */
  jwksUrl: string | (() => Promise<string>)
  /** Reads the key set from elsewhere than a URL (a file), instead of fetching `jwksUrl`. */
  read?: () => Promise<unknown>
  /** Algorithms accepted from the key set (default: RS256, ES256 and EdDSA). */
  algorithms?: AsymmetricAlgorithm[]
  /** A token with an unknown `kid` fetches the key set again at most this often (default 30 s). */
  refetchIntervalMs?: number
  /** The key set is fetched again at least this often, new kid or not (default 10 minutes). */
  maxAgeMs?: number
  /** How long one fetch may take (default 3 s). */
  timeoutMs?: number
  onError?: (error: unknown) => void
  /** Called when a fetch drops or replaces keys held before: tokens they verified must not be trusted any longer. */
  onKeysRemoved?: () => void
}

export const ALGORITHMS: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256', 'EdDSA']

/**
 * Turns one JWK of the set into the check of what its key signed, with the key's PEM (to notice a `kid`
 * that comes to name another key); undefined for a key the set does not use. May throw for a bad key.
 */
export type KeyCheckFactory<C> = (jwk: Record<string, unknown>) => { check: C, pem: string } | undefined

export interface RemoteKeySet<C> {
  /** The check for a token's `kid`; a promise while the set is fetched again for an unknown one. */
  resolve: (header: TokenHeader) => C | undefined | Promise<C | undefined>
  refresh: () => Promise<void>
  /** The first fetch, at start: with no keys held yet, its failure is the caller's to report. */
  load: () => Promise<void>
  /** The ids of the keys held: none after the first fetch means there is nothing to verify with. */
  kids: () => string[]
}

/** Tollgate's access tokens: a signing key of an accepted algorithm, checked with the verifier's constraints. */
function accessTokenKeyCheck (options: RemoteKeySetOptions, constraints: VerifyConstraints): KeyCheckFactory<SignatureCheck> {
  const allowed = new Set(options.algorithms ?? ALGORITHMS)
  return (jwk) => {
    const { alg, use } = jwk
    if (typeof alg !== 'string' || !allowed.has(alg as AsymmetricAlgorithm) || (use !== undefined && use !== 'sig')) return undefined
    const key = publicKeyFromJwk(alg as AsymmetricAlgorithm, jwk)
    return { check: signatureCheck(key.algorithm, key.pem, constraints), pem: key.pem }
  }
}

/**
 * Keys fetched from an issuer's JWKS and kept in memory. The set is fetched once at start and again only
 * when a token names a `kid` it does not know, at most once per `refetchIntervalMs`, so a flood of forged
 * `kid`s cannot turn into a flood of requests. When a fetch fails the keys already held keep serving; a
 * successful fetch replaces the set, so a key the issuer has removed stops verifying.
 */
export function createRemoteKeySet (options: RemoteKeySetOptions, constraints: VerifyConstraints): RemoteKeySet<SignatureCheck>
export function createRemoteKeySet<C> (options: RemoteKeySetOptions, keyCheck: KeyCheckFactory<C>): RemoteKeySet<C>
export function createRemoteKeySet<C> (options: RemoteKeySetOptions, how: VerifyConstraints | KeyCheckFactory<C>): RemoteKeySet<C> {
  const keyCheck = typeof how === 'function' ? how : accessTokenKeyCheck(options, how) as KeyCheckFactory<C>
  const refetchIntervalMs = options.refetchIntervalMs ?? 30_000
  let checks = new Map<string, C>()
  let pems = new Map<string, string>()
  let lastAttempt = -Infinity
  let inFlight: Promise<void> | undefined

  async function download (): Promise<unknown> {
    const url = typeof options.jwksUrl === 'string' ? options.jwksUrl : await options.jwksUrl()
    const response = await fetchFromIssuer(url, options.timeoutMs ?? 3000)
    if (!response.ok) throw new TollgateError('ERR_KEY_SET_UNAVAILABLE', `fetching ${url} answered ${response.status}`)
    return await response.json()
  }

  async function fetchKeys (): Promise<void> {
    lastAttempt = Date.now()
    const body = await (options.read ?? download)() as { keys?: unknown } | null
    if (!Array.isArray(body?.keys)) throw new TollgateError('ERR_KEY_SET_UNAVAILABLE', 'the key set is not a JWK set')
    const next = new Map<string, C>()
    const nextPems = new Map<string, string>()
    for (const jwk of body.keys as Array<Record<string, unknown>>) {
      const { kid } = jwk
      if (typeof kid !== 'string') continue
      try {
        const key = keyCheck(jwk)
        if (key === undefined) continue
        next.set(kid, key.check)
        nextPems.set(kid, key.pem)
      } catch (error) {
        options.onError?.(error)
      }
    }
    // A kid now naming another key counts as removed: what its old key verified is no longer vouched for.
    const removed = [...pems].some(([kid, pem]) => nextPems.get(kid) !== pem)
    checks = next
    pems = nextPems
    if (removed) options.onKeysRemoved?.()
  }

  /** Fetches the key set; concurrent callers share one request, and a failure keeps the keys held. */
  function refresh (): Promise<void> {
    inFlight ??= fetchKeys()
      .catch((error: unknown) => { options.onError?.(error) })
      .finally(() => { inFlight = undefined })
    return inFlight
  }

  const resolve = ({ kid }: TokenHeader): C | undefined | Promise<C | undefined> => {
    if (typeof kid !== 'string') return undefined
    const check = checks.get(kid)
    if (check !== undefined) return check
    // A fetch under way may bring this kid (right after a rotation, many requests meet it at once).
    if (inFlight === undefined && Date.now() - lastAttempt < refetchIntervalMs) return undefined
    return refresh().then(() => checks.get(kid))
  }

  /** The first fetch, at start: with no keys held yet, its failure is the caller's to report. */
  const load = async (): Promise<void> => { await fetchKeys() }

  return { resolve, refresh, load, kids: () => [...checks.keys()] }
}
