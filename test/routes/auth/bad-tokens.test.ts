import { randomBytes, randomUUID } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { buildApp } from '../../../app.js'
import { bearer, build, createUser, login, TEST_SECRET, testEnv } from '../../helper.js'
import { accessClaims, encodeSegment, signatureOf, signToken, swapClaims, TEST_ISSUER, type SignWith } from '../../support/forge.js'

// Every bad token is built here byte by byte, so each row fails for exactly the reason it names.
type Json = Record<string, unknown> | unknown[]

/** Raw bytes as one base64url segment, for what is not JSON. */
const base64url = (value: string): string => Buffer.from(value).toString('base64url')
const OWN_KEY: SignWith = { alg: 'HS256', secret: TEST_SECRET }
const OTHER_KEY: SignWith = { alg: 'HS256', secret: 'another-secret-that-is-also-32-bytes-long' }
/** Tollgate's own key over other bytes: a well-formed signature that belongs to another token. */
const misplacedSignature = (input = 'x'): string => signatureOf(input, OWN_KEY)

const forge = (payload: Json, header: Record<string, unknown> = {}, key: SignWith = OWN_KEY): string => signToken(payload, header, key)

/** An unsigned token: `alg` as given, with an optional signature segment appended. */
const unsigned = (alg: string, payload: Json, signature = ''): string => signToken(payload, {}, { alg, signature })

const now = () => Math.floor(Date.now() / 1000)

const claims = (sub: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => accessClaims({ sub, ...overrides })

function without (object: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = object
  return rest
}

const MISSING = 'Bearer realm="tollgate"'
const invalid = (description: string) => `Bearer realm="tollgate", error="invalid_token", error_description="${description}"`

const MALFORMED = 'The access token is malformed'
const BAD_SIGNATURE = 'The access token signature is invalid'
const BAD_ALGORITHM = 'The access token algorithm is not accepted'
const BAD_CLAIM_VALUE = `The access token was not issued for this audience or by this issuer: expected issuer ${TEST_ISSUER} and audience tollgate-api`
const MISSING_CLAIM = 'The access token is missing a required claim'
const WRONG_TYPE = 'The access token has a claim of the wrong type'
const NOT_AT_JWT = 'The access token is not of type at+jwt'

interface Row {
  name: string
  authorization: (subject: string, valid: string) => string | undefined
  challenge: string
}

const rows: Row[] = [
  { name: 'no Authorization header', authorization: () => undefined, challenge: MISSING },
  { name: 'an empty Authorization header', authorization: () => '', challenge: MISSING },
  { name: 'an empty "Bearer "', authorization: () => 'Bearer ', challenge: MISSING },
  { name: '"Bearer" with no space or token', authorization: () => 'Bearer', challenge: MISSING },
  { name: 'the Basic scheme', authorization: () => `Basic ${base64url('alice:correct horse battery staple')}`, challenge: MISSING },
  { name: 'a token with no scheme', authorization: (_sub, valid) => valid, challenge: MISSING },
  { name: 'a scheme that only starts with Bearer', authorization: (_sub, valid) => `Bearerx ${valid}`, challenge: MISSING },
  { name: 'two spaces after Bearer', authorization: (_sub, valid) => `Bearer  ${valid}`, challenge: MISSING },
  { name: 'two tokens in one header', authorization: (_sub, valid) => `Bearer ${valid} ${valid}`, challenge: MISSING },
  { name: 'two Bearer credentials in one header', authorization: (_sub, valid) => `Bearer ${valid}, Bearer ${valid}`, challenge: MISSING },
  {
    name: 'expired beyond the 5 s clock tolerance',
    authorization: (sub) => `Bearer ${forge(claims(sub, { iat: now() - 1000, nbf: now() - 1000, exp: now() - 10 }))}`,
    challenge: invalid('The access token expired')
  },
  {
    name: 'not yet valid beyond the 5 s clock tolerance',
    authorization: (sub) => `Bearer ${forge(claims(sub, { nbf: now() + 60 }))}`,
    challenge: invalid('The access token is not valid yet')
  },
  {
    name: 'a wrong signature',
    authorization: (_sub, valid) => `Bearer ${valid.slice(0, valid.lastIndexOf('.') + 1)}${misplacedSignature('something else')}`,
    challenge: invalid(BAD_SIGNATURE)
  },
  {
    name: 'a payload changed after signing',
    authorization: (sub, valid) => `Bearer ${swapClaims(valid, claims(sub, { roles: ['admin'] }))}`,
    challenge: invalid(BAD_SIGNATURE)
  },
  {
    name: 'signed with another secret',
    authorization: (sub) => `Bearer ${forge(claims(sub), {}, OTHER_KEY)}`,
    challenge: invalid(BAD_SIGNATURE)
  },
  ...['none', 'None', 'NONE', 'nOnE'].flatMap((alg): Row[] => [
    {
      name: `alg "${alg}" without a signature`,
      authorization: (sub) => `Bearer ${unsigned(alg, claims(sub))}`,
      challenge: invalid('The access token is not signed')
    },
    {
      name: `alg "${alg}" with a trailing signature`,
      authorization: (sub) => `Bearer ${unsigned(alg, claims(sub), misplacedSignature())}`,
      challenge: invalid(BAD_ALGORITHM)
    }
  ]),
  {
    name: 'HS384 with the right secret',
    authorization: (sub) => `Bearer ${forge(claims(sub), {}, { alg: 'HS384', secret: TEST_SECRET })}`,
    challenge: invalid(BAD_ALGORITHM)
  },
  {
    name: 'HS512 with the right secret',
    authorization: (sub) => `Bearer ${forge(claims(sub), {}, { alg: 'HS512', secret: TEST_SECRET })}`,
    challenge: invalid(BAD_ALGORITHM)
  },
  {
    name: 'an RS256 header on an HMAC token',
    authorization: (sub) => `Bearer ${forge(claims(sub), { alg: 'RS256' })}`,
    challenge: invalid(BAD_ALGORITHM)
  },
  { name: 'a wrong issuer', authorization: (sub) => `Bearer ${forge(claims(sub, { iss: 'someone-else' }))}`, challenge: invalid(BAD_CLAIM_VALUE) },
  { name: 'an issuer that only starts right', authorization: (sub) => `Bearer ${forge(claims(sub, { iss: 'tollgate-evil' }))}`, challenge: invalid(BAD_CLAIM_VALUE) },
  { name: 'a wrong audience', authorization: (sub) => `Bearer ${forge(claims(sub, { aud: 'another-api' }))}`, challenge: invalid(BAD_CLAIM_VALUE) },
  { name: 'a missing exp', authorization: (sub) => `Bearer ${forge(without(claims(sub), 'exp'))}`, challenge: invalid(MISSING_CLAIM) },
  { name: 'a missing sub', authorization: (sub) => `Bearer ${forge(without(claims(sub), 'sub'))}`, challenge: invalid(MISSING_CLAIM) },
  { name: 'a missing jti', authorization: (sub) => `Bearer ${forge(without(claims(sub), 'jti'))}`, challenge: invalid(MISSING_CLAIM) },
  { name: 'a missing iss', authorization: (sub) => `Bearer ${forge(without(claims(sub), 'iss'))}`, challenge: invalid(MISSING_CLAIM) },
  { name: 'a missing aud', authorization: (sub) => `Bearer ${forge(without(claims(sub), 'aud'))}`, challenge: invalid(MISSING_CLAIM) },
  { name: 'typ JWT instead of at+jwt', authorization: (sub) => `Bearer ${forge(claims(sub), { typ: 'JWT' })}`, challenge: invalid(NOT_AT_JWT) },
  { name: 'no typ', authorization: (sub) => `Bearer ${forge(claims(sub), { typ: undefined })}`, challenge: invalid(NOT_AT_JWT) },
  {
    name: 'a crit header with an unknown extension',
    authorization: (sub) => `Bearer ${forge(claims(sub), { crit: ['tollgate-unknown'], 'tollgate-unknown': true })}`,
    challenge: invalid('The access token has a critical header Tollgate does not support')
  },
  { name: 'a payload that is a JSON array', authorization: (sub) => `Bearer ${forge([claims(sub)])}`, challenge: invalid(MALFORMED) },
  { name: 'a truncated token', authorization: (_sub, valid) => `Bearer ${valid.slice(0, valid.length - 10)}`, challenge: invalid(BAD_SIGNATURE) },
  { name: 'a token cut before its signature', authorization: (_sub, valid) => `Bearer ${valid.slice(0, valid.lastIndexOf('.'))}`, challenge: invalid(MALFORMED) },
  { name: 'an extra segment', authorization: (_sub, valid) => `Bearer ${valid}.${misplacedSignature()}`, challenge: invalid(MALFORMED) },
  { name: 'base64 padding in the header', authorization: (_sub, valid) => `Bearer ${valid.replace('.', '=.')}`, challenge: invalid(MALFORMED) },
  { name: 'non-base64 characters', authorization: (_sub, valid) => `Bearer ${valid.replace('.', '$!.')}`, challenge: invalid(MALFORMED) },
  {
    name: 'a header that is not JSON',
    authorization: (sub) => `Bearer ${base64url('{"alg":"HS256",')}.${encodeSegment(claims(sub))}.${misplacedSignature()}`,
    challenge: invalid(MALFORMED)
  },
  {
    name: 'a payload that is not JSON',
    authorization: () => {
      const input = `${encodeSegment({ alg: 'HS256', typ: 'at+jwt' })}.${base64url('not json at all')}`
      return `Bearer ${input}.${signatureOf(input, OWN_KEY)}`
    },
    challenge: invalid(MALFORMED)
  },
  { name: 'a 100 KB token', authorization: (_sub, valid) => `Bearer ${valid}${'A'.repeat(100 * 1024)}`, challenge: invalid('The access token is too long') },
  { name: 'a refresh-looking opaque string', authorization: () => `Bearer ${randomBytes(32).toString('base64url')}`, challenge: invalid(MALFORMED) },
  { name: 'roles that are not an array', authorization: (sub) => `Bearer ${forge(claims(sub, { roles: 'admin' }))}`, challenge: invalid(WRONG_TYPE) },
  { name: 'roles holding a non-string', authorization: (sub) => `Bearer ${forge(claims(sub, { roles: [{ admin: true }] }))}`, challenge: invalid(WRONG_TYPE) },
  { name: 'no scope claim', authorization: (sub) => `Bearer ${forge(without(claims(sub), 'scope'))}`, challenge: invalid(WRONG_TYPE) },
  { name: 'a numeric sub', authorization: () => `Bearer ${forge(claims('x', { sub: 42 }))}`, challenge: invalid(WRONG_TYPE) },
  { name: 'an exp that is a string', authorization: (sub) => `Bearer ${forge(claims(sub, { exp: String(now() + 900) }))}`, challenge: invalid(WRONG_TYPE) },
  { name: 'a sid that is not a string', authorization: (sub) => `Bearer ${forge(claims(sub, { sid: 7 }))}`, challenge: invalid(WRONG_TYPE) },
  { name: 'an iat that is a string', authorization: (sub) => `Bearer ${forge(claims(sub, { iat: 'yesterday' }))}`, challenge: invalid(WRONG_TYPE) }
]

function assertDenied (t: Test, response: LightMyRequestResponse, challenge: string): void {
  t.equal(response.statusCode, 401, 'answers 401')
  t.equal(response.headers['www-authenticate'], challenge, 'with the challenge the contract requires')
  t.match(response.headers['content-type'], /^application\/json/)
  const body = response.json()
  t.same(Object.keys(body).sort(), ['code', 'error', 'message', 'statusCode'], 'in Fastify\'s error shape, with a code')
  t.equal(body.statusCode, 401)
  t.equal(body.error, 'Unauthorized')
  t.type(body.message, 'string')
}

async function setup (t: Test): Promise<{ app: FastifyInstance, sub: string, valid: string }> {
  const app = await build(t)
  const alice = await createUser(app, 'alice', ['reader'])
  return { app, sub: alice.id, valid: await login(app, alice) }
}

t.test('GET /users/me refuses every bad token with 401 and the exact challenge', async (t) => {
  const { app, sub, valid } = await setup(t)
  t.ok(rows.length >= 25, `${rows.length} rows`)
  for (const row of rows) {
    await t.test(row.name, async (t) => {
      const authorization = row.authorization(sub, valid)
      const response = await app.inject({ url: '/users/me', headers: authorization === undefined ? {} : { authorization } })
      assertDenied(t, response, row.challenge)
    })
  }
  // The token the rows are derived from is itself good, so no row passes for an unrelated reason.
  t.equal((await app.inject({ url: '/users/me', headers: bearer(valid) })).statusCode, 200)
})

t.test('a token forged the same way with the right secret and claims is accepted', async (t) => {
  // Proves the forging above is faithful: each bad row differs from a good token only in what it names.
  const { app, sub } = await setup(t)
  const response = await app.inject({ url: '/users/me', headers: bearer(forge(claims(sub, { roles: ['reader'] }))) })
  t.equal(response.statusCode, 200)
  t.equal(response.json().id, sub)
})

t.test('the Bearer scheme is case-insensitive (RFC 7235 §2.1)', async (t) => {
  const { app, valid } = await setup(t)
  for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
    const response = await app.inject({ url: '/users/me', headers: { authorization: `${scheme} ${valid}` } })
    t.equal(response.statusCode, 200, `${scheme} is accepted`)
  }
})

t.test('a token within the 5 s clock tolerance is still accepted', async (t) => {
  const { app, sub } = await setup(t)
  const justExpired = forge(claims(sub, { iat: now() - 100, nbf: now() - 100, exp: now() - 2 }))
  t.equal((await app.inject({ url: '/users/me', headers: bearer(justExpired) })).statusCode, 200)
  const almostValid = forge(claims(sub, { nbf: now() + 2 }))
  t.equal((await app.inject({ url: '/users/me', headers: bearer(almostValid) })).statusCode, 200)
})

t.test('a token issued before "log out everywhere" is revoked, a new one works', async (t) => {
  const { app, sub, valid } = await setup(t)
  // Served once, so the verified-token cache holds it: revocation must still apply.
  t.equal((await app.inject({ url: '/users/me', headers: bearer(valid) })).statusCode, 200)
  await app.sessions.ending.endAllSessions(sub)
  const response = await app.inject({ url: '/users/me', headers: bearer(valid) })
  assertDenied(t, response, invalid('The access token has been revoked'))

  const fresh = await login(app, { username: 'alice', password: 'correct horse battery staple' })
  t.equal((await app.inject({ url: '/users/me', headers: bearer(fresh) })).statusCode, 200)
})

t.test('a token used to log out is revoked at once, even though it was cached as verified', async (t) => {
  const { app, valid } = await setup(t)
  t.equal((await app.inject({ url: '/users/me', headers: bearer(valid) })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(valid) })).statusCode, 204)
  assertDenied(t, await app.inject({ url: '/users/me', headers: bearer(valid) }), invalid('The access token has been revoked'))
})

t.test('a real refresh token presented as a Bearer token is refused', async (t) => {
  const { app } = await setup(t)
  const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: 'correct horse battery staple' } })
  const refreshToken: unknown = response.json().refresh_token
  t.type(refreshToken, 'string', 'login issues a refresh token')
  assertDenied(t, await app.inject({ url: '/users/me', headers: bearer(String(refreshToken)) }), invalid(MALFORMED))
})

t.test('a user without the admin role gets 403 insufficient_scope on GET /admin/users', async (t) => {
  const { app, valid } = await setup(t)
  const response = await app.inject({ url: '/admin/users', headers: bearer(valid) })
  t.equal(response.statusCode, 403)
  t.equal(response.headers['www-authenticate'], 'Bearer realm="tollgate", error="insufficient_scope"')
  t.match(response.json(), { statusCode: 403, error: 'Forbidden', message: String })

  const anonymous = await app.inject({ url: '/admin/users' })
  assertDenied(t, anonymous, MISSING)
  const forged = await app.inject({ url: '/admin/users', headers: bearer(forge(claims(randomUUID(), { roles: ['admin'] }), {}, OTHER_KEY)) })
  assertDenied(t, forged, invalid(BAD_SIGNATURE))
})

t.test('HEAD on a protected route is guarded like its GET', async (t) => {
  const { app, valid } = await setup(t)
  assertDeniedHead(t, await app.inject({ method: 'HEAD', url: '/users/me' }))
  assertDeniedHead(t, await app.inject({ method: 'HEAD', url: '/users/me', headers: bearer(`${valid}x`) }))
  const forbidden = await app.inject({ method: 'HEAD', url: '/admin/users', headers: bearer(valid) })
  t.equal(forbidden.statusCode, 403)
  t.equal((await app.inject({ method: 'HEAD', url: '/users/me', headers: bearer(valid) })).statusCode, 200)

  function assertDeniedHead (t: Test, response: LightMyRequestResponse): void {
    t.equal(response.statusCode, 401)
    t.match(response.headers['www-authenticate'], /^Bearer realm="tollgate"/)
  }
})

t.test('a token without a scope a route needs gets 403 naming the scope', async (t) => {
  const app = await buildApp({ env: testEnv(), logger: false })
  t.after(() => app.close())
  // No shipped route needs a scope yet; the guard and its challenge follow from config.auth alone.
  app.get('/test-only/reports', { config: { auth: { scopes: ['reports:read'] } } }, async () => ({ ok: true }))
  await app.ready()
  const alice = await createUser(app, 'alice')
  const scoped = (scope: string) => bearer(forge({ ...claims(alice.id), scope }))

  const response = await app.inject({ url: '/test-only/reports', headers: scoped('profile') })
  t.equal(response.statusCode, 403)
  t.equal(response.headers['www-authenticate'], 'Bearer realm="tollgate", error="insufficient_scope", scope="reports:read"')
  t.match(response.json(), { statusCode: 403, error: 'Forbidden' })
  t.equal((await app.inject({ url: '/test-only/reports', headers: scoped('profile reports:read') })).statusCode, 200)
  assertDenied(t, await app.inject({ url: '/test-only/reports' }), MISSING)
})

t.test('disabling a user ends the tokens they hold', async (t) => {
  const { app, sub, valid } = await setup(t)
  const root = await createUser(app, 'root', ['admin'])
  const adminToken = await login(app, root)
  t.equal((await app.inject({ url: '/users/me', headers: bearer(valid) })).statusCode, 200)

  const patch = await app.inject({ method: 'PATCH', url: `/admin/users/${sub}`, headers: bearer(adminToken), payload: { disabled: true } })
  t.equal(patch.statusCode, 200)
  t.equal(patch.json().disabled, true)

  assertDenied(t, await app.inject({ url: '/users/me', headers: bearer(valid) }), invalid('The access token has been revoked'))
  const relogin = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: 'correct horse battery staple' } })
  t.equal(relogin.statusCode, 401, 'and a disabled user cannot log in again')
})
