import { generateKeyPair, loadSigningKey } from '@tollgate/auth/tokens/keys'
import type { AsymmetricAlgorithm } from '@tollgate/auth/tokens/claims'
import type { SigningAlgorithm } from '@tollgate/auth/tokens/claims'
import { createTokenService } from '../../src/tokens/token-service.js'

export interface VerifyCost {
  algorithm: SigningAlgorithm
  /** Full verifications a second (signature and claims), with the verified-token cache off. */
  opsPerSecond: number
}

const constraints = { issuer: 'tollgate', audience: 'tollgate-api', ttlSeconds: 900, cacheSize: 0 }

function serviceFor (algorithm: SigningAlgorithm) {
  if (algorithm === 'HS256') return createTokenService({ ...constraints, algorithm, secret: 'a-benchmark-secret-of-at-least-32-bytes' })
  const signingKey = loadSigningKey(algorithm, generateKeyPair(algorithm as AsymmetricAlgorithm).privatePem)
  return createTokenService({ ...constraints, algorithm, signingKey })
}

/** What one uncached verification costs with each algorithm, measured in this process. */
export function verifyCosts (durationMs: number): VerifyCost[] {
  return (['HS256', 'RS256', 'ES256', 'EdDSA'] as const).map((algorithm) => {
    const service = serviceFor(algorithm)
    const { token } = service.issue({ id: 'bench-user', roles: ['admin'] })
    for (let i = 0; i < 200; i++) service.verify(token)
    let operations = 0
    const start = process.hrtime.bigint()
    const end = start + BigInt(durationMs) * 1_000_000n
    let now = start
    while (now < end) {
      for (let i = 0; i < 100; i++) service.verify(token)
      operations += 100
      now = process.hrtime.bigint()
    }
    return { algorithm, opsPerSecond: operations / (Number(now - start) / 1e9) }
  })
}
