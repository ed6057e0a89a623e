import { createHmac, randomUUID, sign } from 'node:crypto'

/**
 * Compact JWS built byte by byte, so a test can sign with any key and put anything in the header:
 * a library signer would refuse, or fix up, exactly what these tests need wrong.
 */

const encode = (part: unknown): string => Buffer.from(JSON.stringify(part)).toString('base64url')

/** Valid access-token claims for Tollgate's defaults (issuer `tollgate`, audience `tollgate-api`). */
export function accessClaims (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000)
  return {
    sub: 'user-1',
    iat: now,
    nbf: now,
    exp: now + 600,
    jti: randomUUID(),
    iss: 'tollgate',
    aud: 'tollgate-api',
    roles: [],
    scope: '',
    ...overrides
  }
}

export type SignWith =
  | { alg: 'RS256' | 'ES256' | 'EdDSA', privatePem: string }
  | { alg: 'HS256', secret: string | Buffer }
  | { alg: string, signature: string }

/** `header` is merged over `{ alg, typ: 'at+jwt' }`; a member set to undefined is left out. */
export function signToken (claims: Record<string, unknown>, header: Record<string, unknown>, key: SignWith): string {
  const input = `${encode({ alg: key.alg, typ: 'at+jwt', ...header })}.${encode(claims)}`
  return `${input}.${signature(input, key)}`
}

function signature (input: string, key: SignWith): string {
  if ('signature' in key) return key.signature
  if ('secret' in key) return createHmac('sha256', key.secret).update(input).digest('base64url')
  const data = Buffer.from(input)
  switch (key.alg) {
    case 'RS256': return sign('sha256', data, key.privatePem).toString('base64url')
    // JWS carries ECDSA signatures as r || s (RFC 7518 §3.4), not DER.
    case 'ES256': return sign('sha256', data, { key: key.privatePem, dsaEncoding: 'ieee-p1363' }).toString('base64url')
    default: return sign(null, data, key.privatePem).toString('base64url')
  }
}
