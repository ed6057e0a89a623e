import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/clients/client-assertion.js'
import { TEST_ISSUER } from './forge.js'

/** A client's key pair, made and used by jose: a real client's library, not Tollgate's own code. */
export interface ClientKeyPair {
  alg: 'RS256' | 'ES256' | 'EdDSA'
  privateKey: CryptoKey
  /** For test/support/forge.ts, which signs what jose would refuse to. */
  privatePem: string
  publicPem: string
}

export async function clientKeyPair (alg: ClientKeyPair['alg'] = 'ES256'): Promise<ClientKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { alg, privateKey, privatePem: await exportPKCS8(privateKey), publicPem: await exportSPKI(publicKey) }
}

export interface AssertionClaims {
  iss?: string
  sub?: string
  aud?: string | string[]
  /** Seconds from now. */
  expiresIn?: number
  /** `null` leaves the claim out. */
  jti?: string | null
}

/** An RFC 7523 §2.2 client assertion for `clientId`, addressed to the tests' issuer unless told otherwise. */
export async function assertion (key: ClientKeyPair, clientId: string, claims: AssertionClaims = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: key.alg })
    .setIssuer(claims.iss ?? clientId)
    .setSubject(claims.sub ?? clientId)
    .setAudience(claims.aud ?? TEST_ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expiresIn ?? 120))
  if (claims.jti !== null) jwt.setJti(claims.jti ?? randomUUID())
  return jwt.sign(key.privateKey)
}

/** The token endpoint, form-encoded as OAuth clients send it; repeated members as arrays. */
export function tokenRequest (app: FastifyInstance, fields: Record<string, string | string[]>, authorization?: string) {
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) for (const item of [value].flat()) form.append(name, item)
  return app.inject({
    method: 'POST',
    url: '/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization === undefined ? {} : { authorization }) },
    payload: form.toString()
  })
}

/** The members of a client credentials request authenticated by `clientAssertion`. */
export const withAssertion = (clientAssertion: string, fields: Record<string, string | string[]> = {}): Record<string, string | string[]> => ({
  grant_type: 'client_credentials',
  client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
  client_assertion: clientAssertion,
  ...fields
})
