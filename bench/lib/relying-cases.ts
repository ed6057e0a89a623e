import { readFileSync } from 'node:fs'
import type { Case, Target } from './case.js'
import { startServer, type BenchServer } from './processes.js'
import { badSignature, distinctTokens, expiredToken, malformed } from './tokens.js'

/** How many distinct tokens the cache-miss case cycles through: twice the verifier's cache. */
const DISTINCT_TOKENS = 20_000

/**
 * A service behind Tollgate, one bare Fastify app with the same route under each guard: (a) none, (b)
 * tollgateAuth, (c) @fastify/jwt with its README's `authenticate`, fast-jwt's cache off and on, (d) jose.
 * All verify ES256 tokens from Tollgate's key set, except the cache-miss case (HS256, so that it measures
 * the guard rather than ECDSA).
 */
export async function relyingCases ({ tollgate, keyFile, secret }: { tollgate: BenchServer, keyFile: string, secret: string }) {
  const token = tollgate.info.token ?? ''
  const { iss, aud } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { iss: string, aud: string }
  const claims = { issuer: iss, audience: aud }
  const keys = { JWKS_URL: `${tollgate.url}/.well-known/jwks.json` }
  const start = (label: string, guard: string, env: Record<string, string> = keys) => startServer(label, 'relying-service', { ...env, GUARD: guard, ISSUER: iss, AUDIENCE: aud })
  const none = await start('relying service, no guard', 'none')
  const guarded = await start('relying service, tollgateAuth', 'tollgate')
  const hs256 = await start('relying service, tollgateAuth HS256', 'tollgate', { JWT_SECRET: secret })
  const fastifyJwt = await start('relying service, @fastify/jwt', 'fastify-jwt')
  const fastifyJwtCache = await start('relying service, @fastify/jwt cache on', 'fastify-jwt-cache')
  const jose = await start('relying service, jose', 'jose')
  const expired = expiredToken('ES256', readFileSync(keyFile, 'utf8'), claims)
  const path = '/bench/protected'
  const distinct = distinctTokens(secret, DISTINCT_TOKENS, claims)

  const cases: Case[] = [
    { id: 'rs-none', label: '(a) relying service, no guard', server: none, path, token },
    { id: 'rs-tollgate', label: '(b) tollgateAuth, ES256 from the JWKS', server: guarded, path, token, baseline: 'rs-none' },
    { id: 'rs-fastify-jwt', label: '(c) @fastify/jwt, README authenticate, cache off', server: fastifyJwt, path, token, baseline: 'rs-none' },
    { id: 'rs-fastify-jwt-cache', label: '(c) @fastify/jwt, README authenticate, cache on', server: fastifyJwtCache, path, token, baseline: 'rs-none' },
    { id: 'rs-jose', label: '(d) jose jwtVerify, local JWK set', server: jose, path, token, baseline: 'rs-none' },
    { id: 'rs-expired', label: '(b) flood of one genuine expired token', server: guarded, path, token: expired, expectStatus: 401, baseline: 'rs-none' },
    { id: 'rs-bad-signature', label: '(b) flood of one bad signature', server: guarded, path, token: badSignature(token), expectStatus: 401, baseline: 'rs-none' },
    { id: 'rs-malformed', label: '(b) flood of one malformed token', server: guarded, path, token: malformed(token), expectStatus: 401, baseline: 'rs-none' },
    // A new token each request costs the load generator too, and the server's share of two cores with it:
    // the baseline is sent the same tokens.
    { id: 'rs-none-distinct', label: '(a) no guard, sent the same distinct tokens', server: none, path, tokens: distinct, baseline: 'rs-none' },
    { id: 'rs-distinct', label: `(b) ${DISTINCT_TOKENS.toLocaleString('en')} distinct HS256 tokens, none cached`, server: hs256, path, tokens: distinct, baseline: 'rs-none-distinct' }
  ]
  const targets: Target[] = [
    ['tollgateAuth / no guard', 'rs-tollgate', 'rs-none', 0.95],
    ['tollgateAuth / @fastify/jwt, cache on', 'rs-tollgate', 'rs-fastify-jwt-cache', 1.8],
    ['expired-token flood / no guard', 'rs-expired', 'rs-none', 0.8],
    ['bad-signature flood / no guard', 'rs-bad-signature', 'rs-none', 0.8],
    ['malformed-token flood / no guard', 'rs-malformed', 'rs-none', 0.8],
    ['distinct HS256 tokens / no guard', 'rs-distinct', 'rs-none-distinct', 0.6]
  ]
  return { servers: [none, guarded, hs256, fastifyJwt, fastifyJwtCache, jose], cases, targets }
}
