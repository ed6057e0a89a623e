import { createPublicKey, randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { generateKeyPair } from '@tollgate/auth/tokens/keys'
import { createCompactSigner } from '../../src/tokens/compact-jws.js'
import { WORKLOAD_ISSUER, WORKLOAD_SUBJECT, WORKLOAD_TOKEN_LIFETIME } from './fixtures.js'

/** Signs tokens as the cluster does: ES256, its key's `kid` in the header. */
export interface WorkloadSigner { sign: (claims: object) => string }

/**
 * The cluster's signing key, made for this run: its public half is written to `jwksFile` as a JWK set
 * (what `kubectl get --raw /openid/v1/jwks` gives), which the bench server trusts.
 */
export function clusterKey (jwksFile: string): WorkloadSigner {
  const kid = randomUUID()
  const { privatePem } = generateKeyPair('ES256')
  const jwk = { ...createPublicKey(privatePem).export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }
  writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }))
  return { sign: createCompactSigner('ES256', privatePem, { alg: 'ES256', kid }) }
}

/**
 * `count` projected service-account tokens of WORKLOAD_SUBJECT, one a pod, addressed to `audience` and
 * shaped as the kubelet's: `iss`, `sub`, `aud`, an hour between `iat`/`nbf` and `exp`, and the
 * `kubernetes.io` claim naming the namespace, pod and service account.
 */
export function workloadTokens ({ sign }: WorkloadSigner, audience: string, count: number): string[] {
  const now = Math.floor(Date.now() / 1000)
  const serviceAccount = { name: 'orders', uid: randomUUID() }
  return Array.from({ length: count }, (_, i) => {
    const pod = { name: `orders-${i.toString(36).padStart(5, '0')}`, uid: randomUUID() }
    const claims = {
      aud: [audience],
      exp: now + WORKLOAD_TOKEN_LIFETIME,
      iat: now,
      nbf: now,
      iss: WORKLOAD_ISSUER,
      jti: randomUUID(),
      'kubernetes.io': { namespace: 'bench', node: { name: `node-${i % 3}`, uid: randomUUID() }, pod, serviceaccount: serviceAccount },
      sub: WORKLOAD_SUBJECT
    }
    return sign(claims)
  })
}
