import { randomUUID } from 'node:crypto'
import { createSigner } from 'fast-jwt'
import type { AsymmetricAlgorithm } from '@tollgate/auth/tokens/claims'
import { loadSigningKey } from '@tollgate/auth/tokens/keys'
import { createAccessTokenSigner, signerOptions } from '../../src/tokens/signer.js'

/** The `iss` and `aud` a token carries. */
export interface Audience { issuer: string, audience: string }

/**
 * A genuine token that expired an hour ago, signed with Tollgate's own key: what a client that failed to
 * refresh sends again and again.
 */
export function expiredToken (algorithm: AsymmetricAlgorithm, privatePem: string, constraints: Audience): string {
  const { kid } = loadSigningKey(algorithm, privatePem)
  const issuedAt = Date.now() - 2 * 3600_000
  const sign = createSigner({ ...signerOptions({ ...constraints, algorithm, kid }), key: privatePem, clockTimestamp: issuedAt, expiresIn: 900_000 })
  return sign({ sub: randomUUID(), nbf: Math.floor(issuedAt / 1000), jti: randomUUID(), roles: [], scope: '' })
}

/** The same token with one character of its signature changed. */
export function badSignature (token: string): string {
  const at = token.lastIndexOf('.') + 10
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1)
}

/** The same token with a payload that is not JSON. */
export function malformed (token: string): string {
  const [header, , signature] = token.split('.')
  return `${header ?? ''}.${Buffer.from('not json').toString('base64url')}.${signature ?? ''}`
}

/** `count` distinct HS256 tokens, so that no verifier's cache can answer for them. */
export function distinctTokens (secret: string, count: number, constraints: Audience): string[] {
  const signer = createAccessTokenSigner({ ...constraints, algorithm: 'HS256', key: secret, ttlSeconds: 900 })
  return Array.from({ length: count }, (_, i) => signer.issue({ id: `bench-user-${i}`, roles: [] }).token)
}
