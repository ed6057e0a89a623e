import { createHmac, randomUUID, sign } from 'node:crypto'

/**
 * Compact JWS built byte by byte, so a test can sign with any key and put anything in the header:
 * a library signer would refuse, or fix up, exactly what these tests need wrong.
 */

/** One base64url segment holding `part` as JSON. */
export const encodeSegment = (part: unknown): string => Buffer.from(JSON.stringify(part) ?? '').toString('base64url')

/** The base URL, and so the issuer, of every Tollgate the tests start (PUBLIC_URL). */
export const TEST_ISSUER = 'https://tollgate.test'

/** Valid access-token claims for the tests' Tollgate (issuer TEST_ISSUER, audience `tollgate-api`). */
export function accessClaims (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000)
  return {
    sub: 'user-1',
    iat: now,
    nbf: now,
    exp: now + 600,
    jti: randomUUID(),
    iss: TEST_ISSUER,
    aud: 'tollgate-api',
    roles: [],
    scope: '',
    ...overrides
  }
}

export type SignWith =
  | { alg: 'RS256' | 'ES256' | 'EdDSA', privatePem: string }
  | { alg: 'HS256' | 'HS384' | 'HS512', secret: string | Buffer }
  | { alg: string, signature: string }

/** `header` is merged over `{ alg, typ: 'at+jwt' }`; a member set to undefined is left out. */
export function signToken (claims: Record<string, unknown> | unknown[], header: Record<string, unknown>, key: SignWith): string {
  const input = `${encodeSegment({ alg: key.alg, typ: 'at+jwt', ...header })}.${encodeSegment(claims)}`
  return `${input}.${signatureOf(input, key)}`
}

/** The signature segment `key` gives `input` (the first two segments, or any bytes). */
export function signatureOf (input: string, key: SignWith): string {
  if ('signature' in key) return key.signature
  if ('secret' in key) return createHmac(`sha${key.alg.slice(2)}`, key.secret).update(input).digest('base64url')
  const data = Buffer.from(input)
  switch (key.alg) {
    case 'RS256': return sign('sha256', data, key.privatePem).toString('base64url')
    // JWS carries ECDSA signatures as r || s (RFC 7518 §3.4), not DER.
    case 'ES256': return sign('sha256', data, { key: key.privatePem, dsaEncoding: 'ieee-p1363' }).toString('base64url')
    default: return sign(null, data, key.privatePem).toString('base64url')
  }
}

/** `token` with its header and claims as they are, signed again with `key`. */
export function resign (token: string, key: SignWith): string {
  const input = token.slice(0, token.lastIndexOf('.'))
  return `${input}.${signatureOf(input, key)}`
}

/** `token` with other claims under its original header and signature. */
export function swapClaims (token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.')
  return `${header}.${encodeSegment(claims)}.${signature}`
}

/** The JOSE header and payload of a compact JWS, unverified. */
export function decodeJwt (token: string): { header: Record<string, any>, payload: Record<string, any> } {
  const [header = '', payload = ''] = token.split('.')
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString())
  }
}
