import { TollgateError } from '../errors.js'
import type { AsymmetricAlgorithm } from './claims.js'
import { fetchFromIssuer } from './issuer-fetch.js'
import { publicKeyFromJwk } from './keys.js'
import { signatureCheck, type KeyResolver, type SignatureCheck, type VerifyConstraints } from './verifier.js'

export interface RemoteKeySetOptions {
  /** Where the issuer publishes its keys, e.g. `https://tollgate.example/.well-known/jwks.json`. */
  jwksUrl: string
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
 * Keys fetched from an issuer's JWKS and kept in memory. The set is fetched once at start and again only
 * when a token names a `kid` it does not know, at most once per `refetchIntervalMs`, so a flood of forged
 * `kid`s cannot turn into a flood of requests. When a fetch fails the keys already held keep serving; a
 * successful fetch replaces the set, so a key the issuer has removed stops verifying.
 */
export function createRemoteKeySet (options: RemoteKeySetOptions, constraints: VerifyConstraints) {
  const allowed = new Set(options.algorithms ?? ALGORITHMS)
  const refetchIntervalMs = options.refetchIntervalMs ?? 30_000
  let checks = new Map<string, SignatureCheck>()
  let pems = new Map<string, string>()
  let lastAttempt = -Infinity
  let inFlight: Promise<void> | undefined

  async function fetchKeys (): Promise<void> {
    lastAttempt = Date.now()
    const response = await fetchFromIssuer(options.jwksUrl, options.timeoutMs ?? 3000)
    if (!response.ok) throw new TollgateError('ERR_KEY_SET_UNAVAILABLE', `fetching ${options.jwksUrl} answered ${response.status}`)
    const body = await response.json() as { keys?: unknown }
    if (!Array.isArray(body.keys)) throw new TollgateError('ERR_KEY_SET_UNAVAILABLE', `${options.jwksUrl} is not a JWK set`)
    const next = new Map<string, SignatureCheck>()
    const nextPems = new Map<string, string>()
    for (const jwk of body.keys as Array<Record<string, unknown>>) {
      const { kid, alg, use } = jwk
      if (typeof kid !== 'string' || typeof alg !== 'string' || !allowed.has(alg as AsymmetricAlgorithm) || (use !== undefined && use !== 'sig')) continue
      try {
        const key = publicKeyFromJwk(alg as AsymmetricAlgorithm, jwk)
        next.set(kid, signatureCheck(key.algorithm, key.pem, constraints))
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

  const resolve: KeyResolver = ({ kid }) => {
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
