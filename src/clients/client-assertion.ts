import { createVerifier } from 'fast-jwt'
import type { ClientKey } from './client-keys.js'

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** How far ahead an assertion's `exp` may lie: an assertion is made for one request, not kept. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300

/** Allowed clock difference between the client and Tollgate, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 5

/** A `jti` longer than this is refused: it is stored until the assertion expires. */
const MAX_JTI_LENGTH = 255

/** What an accepted assertion leaves to check: that its `jti` was never seen, until `exp`. */
export interface AcceptedAssertion {
  jti: string
  exp: number
}

/** Checks one client's assertions; the reason of a refusal (for the audit log), or what to remember. */
export type AssertionCheck = (assertion: string) => AcceptedAssertion | { refused: string }

/** An assertion's claims read before any check, to find whose key verifies it; undefined when not a JSON object. */
export function unverifiedClaims (assertion: string): Record<string, unknown> | undefined {
  const [, payload] = assertion.split('.', 3)
  if (payload === undefined) return undefined
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    return typeof claims === 'object' && claims !== null ? claims as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/**
 * RFC 7523 §3 for one client: signed by its key with the key's one algorithm (so neither `none` nor an
 * HMAC keyed with the public key passes), `iss` and `sub` its id, `aud` one of `audiences` as a single
 * string, an `exp` in the next five minutes and a `jti`. Every check but the last three is fast-jwt's own.
 */
export function createAssertionCheck (clientId: string, key: ClientKey, audiences: readonly string[]): AssertionCheck {
  const verify = createVerifier({
    key: key.pem,
    algorithms: [key.algorithm],
    allowedIss: clientId,
    allowedSub: clientId,
    allowedAud: [...audiences],
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS * 1000,
    cache: false
  })
  return function check (assertion) {
    let claims: { aud?: unknown, jti?: unknown, exp?: unknown }
    try {
      claims = verify(assertion) as typeof claims
    } catch (error) {
      return { refused: (error as { code?: string }).code ?? 'malformed' }
    }
    const { aud, jti, exp } = claims
    // fast-jwt accepts an array holding one allowed value beside any others: the audience injection of the
    // OpenID Foundation's 2025 private_key_jwt advisory. The draft update of RFC 7523 asks for one string.
    if (typeof aud !== 'string') return { refused: 'aud must be a single string' }
    if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) return { refused: 'jti' }
    // fast-jwt has checked that `exp` is a number in the future.
    if ((exp as number) > Date.now() / 1000 + MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) return { refused: 'exp too far ahead' }
    return { jti, exp: Math.ceil(exp as number) }
  }
}
