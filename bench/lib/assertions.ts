import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto'

const encode = (part: unknown): string => Buffer.from(JSON.stringify(part)).toString('base64url')

/** A JWT signed with ES256: `header` gets its `alg`. */
export function signEs256 (privateKey: KeyObject, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${encode({ alg: 'ES256', ...header })}.${encode(claims)}`
  // JWS carries ECDSA signatures as r || s (RFC 7518 §3.4), not DER.
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}

/** `count` ES256 client assertions (RFC 7523 §2.2), each with its own jti, valid for the next four minutes. */
export function makeAssertions (privateKey: KeyObject, clientId: string, audience: string, count: number): string[] {
  const now = Math.floor(Date.now() / 1000)
  return Array.from({ length: count }, () =>
    signEs256(privateKey, { typ: 'JWT' }, { iss: clientId, sub: clientId, aud: audience, iat: now, exp: now + 240, jti: randomUUID() }))
}

/**
 * Assertions made before a measurement, so making them costs the load generator nothing while it runs;
 * should the server outrun the estimate, more are made as needed (and never one used twice).
 */
export function assertionPool (privatePem: string, clientId: string, audience: string) {
  // Parsed once: signing with the PEM itself would parse it again for every assertion, ten times the cost.
  const privateKey = createPrivateKey(privatePem)
  let pool: string[] = []
  let next = 0
  return {
    refill (count: number): void {
      pool = makeAssertions(privateKey, clientId, audience, count)
      next = 0
    },
    take (): string {
      if (next >= pool.length) this.refill(1000)
      return pool[next++]!
    }
  }
}

export type AssertionPool = ReturnType<typeof assertionPool>
