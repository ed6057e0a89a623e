import { randomUUID } from 'node:crypto'
import { createCompactSigner } from '../../src/tokens/compact-jws.js'

/** `count` ES256 client assertions (RFC 7523 §2.2), each with its own jti, valid for the next four minutes. */
function makeAssertions (sign: (claims: object) => string, clientId: string, audience: string, count: number): string[] {
  const now = Math.floor(Date.now() / 1000)
  return Array.from({ length: count }, () => sign({ iss: clientId, sub: clientId, aud: audience, iat: now, exp: now + 240, jti: randomUUID() }))
}

/**
 * Assertions made before a measurement, so making them costs the load generator nothing while it runs;
 * should the server outrun the estimate, more are made as needed (and never one used twice).
 */
export function assertionPool (privatePem: string, clientId: string, audience: string) {
  // The key is imported once: signing with the PEM itself would parse it again for every assertion.
  const sign = createCompactSigner('ES256', privatePem, { alg: 'ES256', typ: 'JWT' })
  let pool: string[] = []
  let next = 0
  return {
    refill (count: number): void {
      pool = makeAssertions(sign, clientId, audience, count)
      next = 0
    },
    take (): string {
      if (next >= pool.length) this.refill(1000)
      return pool[next++]!
    }
  }
}

export type AssertionPool = ReturnType<typeof assertionPool>
