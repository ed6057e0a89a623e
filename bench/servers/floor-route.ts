import { createHash, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { TokenResponseSchema } from '../../src/http/schemas.js'
import { createCompactSigner } from '../../src/tokens/compact-jws.js'

/**
 * `POST /bench/floor`: a client credentials grant reduced to what any server must do for one, on the same
 * Fastify instance, hooks and form parser as Tollgate's token endpoint. It reads the same request (a form
 * body, HTTP Basic), hashes the secret once, signs a token of the same claims with the server's own key
 * (the bare compact JWS signer, no token service) and answers the same token response. What Tollgate's grant costs above this
 * route is Tollgate's own work; what this route costs above the open route is what a POST, its body and a
 * token-sized answer cost under the same load.
 */
export function addFloorRoute (app: FastifyInstance): void {
  const { JWT_ALGORITHM: algorithm, JWT_ISSUER: issuer, JWT_AUDIENCE: audience } = app.config
  const key = algorithm === 'HS256' ? app.config.JWT_SECRET ?? '' : readFileSync(app.config.JWT_PRIVATE_KEY_FILE ?? '', 'utf8')
  const sign = createCompactSigner(algorithm, key, { alg: algorithm, typ: 'at+jwt' })
  app.post('/bench/floor', { schema: { response: { 200: Type.Ref(TokenResponseSchema) } } }, async (request, reply) => {
    const credentials = Buffer.from((request.headers.authorization ?? '').slice('Basic '.length), 'base64').toString()
    const clientId = credentials.slice(0, credentials.indexOf(':'))
    createHash('sha256').update(credentials.slice(clientId.length + 1)).digest()
    const now = Math.floor(Date.now() / 1000)
    const token = sign({ iss: issuer, sub: clientId, aud: audience, iat: now, nbf: now, exp: now + 900, jti: randomUUID(), roles: [], scope: 'api:read', client_id: clientId })
    reply.header('cache-control', 'no-store')
    return { access_token: token, token_type: 'Bearer' as const, expires_in: 900, scope: 'api:read' }
  })
}
