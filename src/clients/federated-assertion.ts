import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { createVerifier } from 'fast-jwt'
import { CLOCK_LEEWAY_SECONDS } from '@tollgate/auth/tokens/claims'
import type { KeyCheckFactory } from '@tollgate/auth/tokens/remote-key-set'
import type { TrustedIssuer } from './trusted-issuers-repository.js'

/** draft-ietf-oauth-spiffe-client-auth: the `client_assertion_type` of a JWT-SVID. */
export const JWT_SPIFFE_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-spiffe'

/** What a workload token may be signed with: asymmetric only, so neither `none` nor an HMAC keyed with a public key passes. */
export const FEDERATED_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const
type FederatedAlgorithm = typeof FEDERATED_ALGORITHMS[number]

/** Checks one workload token's signature and the claims fast-jwt checks (`aud`, `nbf`, `exp`, `iss`); throws its TokenError. */
export type WorkloadTokenCheck = (token: string) => Record<string, unknown>

/** How many workload tokens a key keeps verified: one a workload, for a fleet of thousands. */
const WORKLOAD_TOKENS_CACHED = 10_000

/** The key use of a JWKS entry: a SPIFFE trust bundle marks JWT-SVID keys `jwt-svid` (SPIFFE Trust Domain and Bundle §4.2.2). */
const USES = new Set([undefined, 'sig', 'jwt-svid'])

/**
 * The algorithms a key may verify: the one its `alg` names, or for a key without one (SPIFFE bundles
 * leave it out) those its type allows.
 */
function algorithmsOf (jwk: Record<string, unknown>): FederatedAlgorithm[] {
  const { alg, kty, crv } = jwk
  if (alg !== undefined) return (FEDERATED_ALGORITHMS as readonly unknown[]).includes(alg) ? [alg as FederatedAlgorithm] : []
  if (kty === 'RSA') return ['RS256', 'PS256']
  if (kty === 'EC' && crv === 'P-256') return ['ES256']
  if (kty === 'OKP' && crv === 'Ed25519') return ['EdDSA']
  return []
}

/** A public key as SPKI PEM, private members ignored; an RSA key under 2048 bits is refused (RFC 7518 §3.3). */
function publicPem (jwk: Record<string, unknown>): string {
  const { kty, n, e, crv, x, y } = jwk
  const key = createPublicKey({ key: { kty, n, e, crv, x, y } as JsonWebKey, format: 'jwk' })
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new Error('an RSA key under 2048 bits')
  return key.export({ format: 'pem', type: 'spki' }).toString()
}

/**
 * The checks of a trusted issuer's keys: each key verifies only its own algorithm, and fast-jwt checks
 * `aud` (one of `audiences`: Tollgate's issuer or token endpoint), `nbf` and `exp` with the usual clock
 * leeway, and `iss` when the issuer is a URL (a JWT-SVID of a trust domain may carry none).
 */
export function workloadKeyCheck (issuer: TrustedIssuer, audiences: readonly string[]): KeyCheckFactory<WorkloadTokenCheck> {
  const spiffe = issuer.issuer.startsWith('spiffe:')
  return (jwk) => {
    const algorithms = algorithmsOf(jwk)
    if (algorithms.length === 0 || !USES.has(jwk.use as string | undefined)) return undefined
    const pem = publicPem(jwk)
    const check = createVerifier({
      key: pem,
      algorithms,
      allowedAud: [...audiences],
      ...(spiffe ? {} : { allowedIss: issuer.issuer }),
      requiredClaims: ['sub', 'aud', 'exp'],
      clockTolerance: CLOCK_LEEWAY_SECONDS * 1000,
      // A workload presents the same token again and again until its platform replaces it: its signature
      // is checked once, and later presentations cost a hash (fast-jwt checks nbf and exp on every one).
      // The cache lives with this key, so a key the issuer drops takes its tokens' entries with it.
      cache: WORKLOAD_TOKENS_CACHED
    }) as WorkloadTokenCheck
    return { check, pem }
  }
}

/**
 * What fast-jwt does not check: a string `sub` (within the trust domain for SPIFFE), and a lifetime
 * within the issuer's maximum: `exp - iat`, and, so a far-future `iat` cannot stretch it, `exp - now`.
 * Returns the subject, or the reason of a refusal.
 */
export function workloadSubject (claims: Record<string, unknown>, issuer: TrustedIssuer, nowSeconds: number): { subject: string } | { refused: string } {
  const { sub, exp, iat } = claims
  if (typeof sub !== 'string' || sub === '' || sub.length > 512) return { refused: 'sub' }
  if (issuer.issuer.startsWith('spiffe:') && !sub.startsWith(`${issuer.issuer}/`)) return { refused: 'sub outside the trust domain' }
  if (iat !== undefined && typeof iat !== 'number') return { refused: 'iat' }
  // fast-jwt has checked that `exp` is a number not in the past.
  const expiry = exp as number
  if (typeof iat === 'number' && (iat > nowSeconds + CLOCK_LEEWAY_SECONDS || expiry - iat > issuer.maxLifetime)) return { refused: 'lifetime longer than the issuer allows' }
  if (expiry - nowSeconds > issuer.maxLifetime + CLOCK_LEEWAY_SECONDS) return { refused: 'lifetime longer than the issuer allows' }
  return { subject: sub }
}
