/**
 * What an access token is, shared by the signer, the verifier and every guard: its claims, the algorithms
 * it may be signed with, its type and its bounds. It imports nothing, so the signer and the verifier both
 * stand on it and never on each other.
 */

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
  /** RFC 8693 §4.1: who is acting on the subject's behalf, the current actor outermost; only on exchanged tokens. */
  act?: Actor
}

/** RFC 8693 §4.1: an actor, and the actor it acts for in turn (the earlier one, nested inside). */
export interface Actor {
  sub: string
  act?: Actor
}

/**
 * How many actors a delegated token may name: a chain longer than this (a user, then more than five
 * services each exchanging the last one's token) is refused at the exchange and by every verifier.
 */
export const MAX_ACTOR_DEPTH = 5

/** The number of nested actors, or -1 when `act` is not an actor chain Tollgate could have issued. */
export function actorDepth (act: unknown): number {
  let depth = 0
  let current = act
  while (current !== undefined) {
    if (typeof current !== 'object' || current === null || typeof (current as Actor).sub !== 'string' || depth === MAX_ACTOR_DEPTH) return -1
    depth++
    current = (current as Actor).act
  }
  return depth
}

export type AsymmetricAlgorithm = 'RS256' | 'ES256' | 'EdDSA'
export type SigningAlgorithm = 'HS256' | AsymmetricAlgorithm

/**
 * RFC 9068's media type for JWT access tokens: it is set on issue and required on verify, so a JWT of
 * another kind signed with the same key is never accepted as an access token.
 */
export const ACCESS_TOKEN_TYPE = 'at+jwt'

/** Tokens longer than this are refused before any parsing (a JWT of ours is well under 1 KiB). */
export const MAX_TOKEN_LENGTH = 8192

/** The claims every access token carries; a token missing one is refused. */
export const REQUIRED_CLAIMS = ['sub', 'iat', 'nbf', 'exp', 'jti', 'iss', 'aud']

/**
 * How far apart two clocks may be: a verifier may still accept a token this long after its `exp`, so
 * whatever outlives a token (a revocation, a retired key) is kept this much longer.
 */
export const CLOCK_LEEWAY_SECONDS = 60

/** The bounds of ACCESS_TOKEN_TTL, in seconds: no access token lives longer than the maximum. */
export const ACCESS_TOKEN_TTL_MIN = 60
export const ACCESS_TOKEN_TTL_MAX = 3600

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash's output. */
export const MIN_SECRET_BYTES = 32
