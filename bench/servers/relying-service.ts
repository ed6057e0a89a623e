import { createPublicKey, createSecretKey, type JsonWebKey } from 'node:crypto'
import fastifyJwt from '@fastify/jwt'
import Fastify, { type FastifyReply, type FastifyRequest, type onRequestHookHandler } from 'fastify'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { tollgateAuth } from '../../auth.js'
import { ACCESS_TOKEN_TYPE, type AccessClaims } from '@tollgate/auth/tokens/claims'
import { announce, stats } from './report.js'

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims
    user: AccessClaims
  }
}

/**
 * One bare Fastify app behind Tollgate, the same route under each guard (`GUARD`): none, tollgateAuth,
 * @fastify/jwt with the `authenticate` from its README (fast-jwt's cache off or on), or jose's
 * `jwtVerify`. Tokens are HS256 under `JWT_SECRET`, or else signed by the keys at `JWKS_URL`.
 */
const guard = process.env.GUARD ?? 'none'
const issuer = process.env.ISSUER ?? 'tollgate'
const audience = process.env.AUDIENCE ?? 'tollgate-api'
const secret = process.env.JWT_SECRET
const jwksUrl = process.env.JWKS_URL ?? ''
const jwks = secret === undefined ? await (await fetch(jwksUrl)).json() as JSONWebKeySet : { keys: [] }
const algorithm = secret === undefined ? 'ES256' : 'HS256'

const app = Fastify()
const guards: onRequestHookHandler[] = []

if (guard === 'tollgate') {
  await app.register(tollgateAuth, secret === undefined ? { jwksUrl, issuer, audience } : { secret, algorithm: 'HS256', issuer, audience })
} else if (guard === 'fastify-jwt' || guard === 'fastify-jwt-cache') {
  const [jwk] = jwks.keys
  await app.register(fastifyJwt, {
    secret: secret ?? { public: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString(), private: '' },
    verify: { algorithms: [algorithm], allowedIss: issuer, allowedAud: audience, cache: guard === 'fastify-jwt-cache' }
  })
  // As in @fastify/jwt's README.
  guards.push(async function authenticate (request: FastifyRequest, reply: FastifyReply) {
    try {
      await request.jwtVerify()
    } catch (error) {
      return reply.send(error)
    }
  })
} else if (guard === 'jose') {
  const key = secret === undefined ? createLocalJWKSet(jwks) : createSecretKey(Buffer.from(secret))
  const options = { issuer, audience, algorithms: [algorithm], typ: ACCESS_TOKEN_TYPE }
  app.decorateRequest('user', null as unknown as AccessClaims)
  guards.push(async function verify (request: FastifyRequest, reply: FastifyReply) {
    try {
      const token = request.headers.authorization?.replace(/^Bearer /, '') ?? ''
      request.user = (await jwtVerify<AccessClaims>(token, key as Parameters<typeof jwtVerify>[1], options)).payload
    } catch {
      return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send({ message: 'invalid token' })
    }
  })
} else if (guard !== 'none') {
  throw new Error(`GUARD must be none, tollgate, fastify-jwt, fastify-jwt-cache or jose, not ${guard}`)
}

const Body = { response: { 200: { type: 'object', properties: { sub: { type: 'string' } } } } }
const anonymous = { sub: 'anonymous-caller-0000000000000000000' }
app.get('/bench/protected', { schema: Body, config: { auth: guard === 'tollgate' }, onRequest: guards }, async (request) =>
  guard === 'none' ? anonymous : { sub: request.user.sub })
app.get('/bench/stats', async (request) => stats((request.query as { reset?: string }).reset === '1'))
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
announce(typeof address === 'object' && address !== null ? address.port : 0)

// A clean exit on SIGTERM, so `--cpu-prof` writes its profile.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
}
