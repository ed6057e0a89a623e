import { createHash, createHmac, createPrivateKey, createSecretKey, randomUUID, sign, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { TokenResponseSchema } from '../../src/http/schemas.js'

const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url')

/**
 * `POST /bench/floor`: a client credentials grant reduced to what any server must do for one, on the same
 * Fastify instance, hooks and form parser as Tollgate's token endpoint. It reads the same request (a form
 * body, HTTP Basic), hashes the secret once, signs a token of the same claims with the server's own key
 * (node:crypto, nothing else) and answers the same token response. What Tollgate's grant costs above this
 * route is Tollgate's own work; what this route costs above the open route is what a POST, its body and a
 * token-sized answer cost under the same load.
 */
export function addFloorRoute (app: FastifyInstance): void {
  const { JWT_ALGORITHM: algorithm, JWT_ISSUER: issuer, JWT_AUDIENCE: audience } = app.config
  const head = `${encode({ alg: algorithm, typ: 'at+jwt' })}.`
  let signature: (input: string) => string
  if (algorithm === 'HS256') {
    const secret: KeyObject = createSecretKey(Buffer.from(app.config.JWT_SECRET ?? '', 'utf8'))
    signature = (input) => createHmac('sha256', secret).update(input).digest('base64url')
  } else {
    const key = createPrivateKey(readFileSync(app.config.JWT_PRIVATE_KEY_FILE ?? '', 'utf8'))
    const options = algorithm === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : { key }
    signature = (input) => sign(algorithm === 'EdDSA' ? null : 'sha256', Buffer.from(input), options).toString('base64url')
  }
  app.post('/bench/floor', { schema: { response: { 200: Type.Ref(TokenResponseSchema) } } }, async (request, reply) => {
    const credentials = Buffer.from((request.headers.authorization ?? '').slice('Basic '.length), 'base64').toString()
    const clientId = credentials.slice(0, credentials.indexOf(':'))
    createHash('sha256').update(credentials.slice(clientId.length + 1)).digest()
    const now = Math.floor(Date.now() / 1000)
    const input = head + encode({ iss: issuer, sub: clientId, aud: audience, iat: now, nbf: now, exp: now + 900, jti: randomUUID(), roles: [], scope: 'api:read', client_id: clientId })
    reply.header('cache-control', 'no-store')
    return { access_token: `${input}.${signature(input)}`, token_type: 'Bearer' as const, expires_in: 900, scope: 'api:read' }
  })
}
