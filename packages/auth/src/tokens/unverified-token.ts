import { InvalidTokenError } from '../errors.js'
import { EXPIRED, KEY_SOURCE_HEADER, MALFORMED, NOT_YET_VALID, refusal, WRONG_ISSUER_OR_AUDIENCE } from './refusals.js'

export interface TokenHeader {
  alg?: unknown
  kid?: unknown
  [name: string]: unknown
}

/** What a token says about itself before its signature is checked: enough to refuse it, never to accept it. */
export interface UnverifiedToken {
  header: TokenHeader
  payload: Record<string, unknown>
}

/** Header parameters that point at keys elsewhere (RFC 7515 §4.1.2–4.1.6): never followed, always refused. */
const KEY_SOURCE_HEADERS = ['jku', 'jwk', 'x5u', 'x5c']

function decodeObject (part: string): Record<string, unknown> | undefined {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined
}

function decodeHeader (part: string): TokenHeader | InvalidTokenError {
  const header = decodeObject(part)
  if (header === undefined) return MALFORMED
  return KEY_SOURCE_HEADERS.some((name) => name in header) ? refusal(KEY_SOURCE_HEADER) : header
}

/** How many distinct headers a decoder remembers: an issuer uses one per key, a forger gets no more. */
const HEADER_CACHE_SIZE = 64

/**
 * Returns a function giving the header and payload of a compact JWS, or the refusal its shape alone
 * calls for. Every token of one key has the same header, so each header that decodes is decoded once
 * and the frozen result reused. (A refused one is not kept: the refusals are shared objects, and the
 * verifier remembers refused tokens itself.)
 */
export function createTokenDecoder (): (token: string) => UnverifiedToken | InvalidTokenError {
  const headers = new Map<string, TokenHeader>()
  return function decodeToken (token) {
    const headerEnd = token.indexOf('.')
    const payloadEnd = token.indexOf('.', headerEnd + 1)
    if (headerEnd <= 0 || payloadEnd < 0) return MALFORMED
    const segment = token.slice(0, headerEnd)
    let header = headers.get(segment)
    if (header === undefined) {
      const decoded = decodeHeader(segment)
      if (decoded instanceof InvalidTokenError) return decoded
      header = Object.freeze(decoded)
      if (headers.size < HEADER_CACHE_SIZE) headers.set(segment, header)
    }
    const payload = decodeObject(token.slice(headerEnd + 1, payloadEnd))
    if (payload === undefined) return MALFORMED
    return { header, payload }
  }
}

export interface ClaimExpectations {
  issuer: string
  /** Undefined: any audience (the token exchange checks it itself). */
  audience: string | undefined
  toleranceMs: number
}

/**
 * The refusal the payload alone decides, checked before the signature: a genuine token that expired or
 * was issued for another service costs no signature check. The same checks run again after the
 * signature (fast-jwt's own, with the same tolerance), so a payload passing here is not trusted yet.
 */
export function claimsRefusal (payload: Record<string, unknown>, { issuer, audience, toleranceMs }: ClaimExpectations, now: number): InvalidTokenError | undefined {
  const { exp, nbf, iss, aud } = payload
  if (typeof exp === 'number' && now > exp * 1000 + toleranceMs) return EXPIRED
  if (typeof nbf === 'number' && now < nbf * 1000 - toleranceMs) return NOT_YET_VALID
  if (iss !== undefined && iss !== issuer) return WRONG_ISSUER_OR_AUDIENCE
  if (audience === undefined) return undefined
  if (typeof aud === 'string' ? aud !== audience : Array.isArray(aud) && !aud.includes(audience)) return WRONG_ISSUER_OR_AUDIENCE
  return undefined
}
