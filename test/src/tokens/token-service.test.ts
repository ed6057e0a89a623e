import { TokenError } from 'fast-jwt'
import t, { type Test } from 'tap'
import type { AccessClaims } from '@tollgate/auth/tokens/claims'
import { InvalidTokenError } from '@tollgate/auth/errors'
import { createTokenService, type TokenServiceOptions } from '../../../src/tokens/token-service.js'
import { accessClaims, decodeJwt, signToken, TEST_ISSUER, type SignWith } from '../../support/forge.js'

const SECRET = 'a-test-secret-that-is-at-least-32-bytes!'
const OPTIONS: TokenServiceOptions = {
  algorithm: 'HS256',
  secret: SECRET,
  issuer: TEST_ISSUER,
  audience: 'tollgate-api',
  ttlSeconds: 900
}
const ALICE = { id: 'user-1', roles: ['reader', 'writer'], scope: 'read write' }

/** Moves Date.now (which fast-jwt reads too) to a fixed time; the real clock is back when the test ends. */
function fakeClock (t: Test, startMs: number) {
  const realNow = Date.now
  let now = startMs
  Date.now = () => now
  t.teardown(() => { Date.now = realNow })
  return { set (ms: number) { now = ms } }
}

/** What Tollgate would refuse, signed with Tollgate's own key unless told otherwise, valid for a minute. */
function forge (claims: Record<string, unknown>, header: Record<string, unknown> = {}, key: SignWith = { alg: 'HS256', secret: SECRET }): string {
  return signToken(accessClaims({ exp: Math.floor(Date.now() / 1000) + 60, jti: 'j-1', ...claims }), header, key)
}

t.test('an issued token carries every claim of the contract', async (t) => {
  const clock = 1_800_000_000_000
  fakeClock(t, clock + 400)
  const tokens = createTokenService(OPTIONS)
  const issued = tokens.issue(ALICE)
  const { header, payload } = decodeJwt(issued.token)

  t.same(header, { alg: 'HS256', typ: 'at+jwt' })
  t.match(payload, {
    sub: 'user-1',
    iat: clock / 1000,
    nbf: clock / 1000,
    exp: clock / 1000 + 900,
    iss: TEST_ISSUER,
    aud: 'tollgate-api',
    roles: ['reader', 'writer'],
    scope: 'read write'
  })
  t.match(payload.jti, /^[0-9a-f-]{36}$/)
  t.equal(payload.exp - payload.iat, OPTIONS.ttlSeconds)
  t.same(issued.claims, payload, 'the claims handed back are the ones signed')
  t.equal(issued.expiresIn, 900)

  const other = tokens.issue(ALICE)
  t.not(decodeJwt(other.token).payload.jti, payload.jti, 'every token has its own jti')
  t.not(other.token, issued.token)
})

t.test('a subject without a scope gets an empty scope', async (t) => {
  const tokens = createTokenService(OPTIONS)
  t.equal(decodeJwt(tokens.issue({ id: 'u', roles: [] }).token).payload.scope, '')
})

t.test('verify returns the claims of a token it issued, from the cache too', async (t) => {
  const tokens = createTokenService(OPTIONS)
  const issued = tokens.issue(ALICE)
  t.same(tokens.verify(issued.token), issued.claims)
  t.same(tokens.verify(issued.token), issued.claims)
  const uncached = createTokenService({ ...OPTIONS, cacheSize: 0 })
  t.same(uncached.verify(issued.token), issued.claims)
})

t.test('a cached token is never accepted past its expiry and tolerance', async (t) => {
  for (const cacheSize of [10_000, 0]) {
    const start = 1_800_000_000_000
    const clock = fakeClock(t, start)
    const tokens = createTokenService({ ...OPTIONS, ttlSeconds: 60, clockToleranceSeconds: 5 })
    const { token, claims } = tokens.issue(ALICE)
    t.same(tokens.verify(token), claims, `accepted when fresh (cache size ${cacheSize})`)

    clock.set(claims.exp * 1000 + 5000)
    t.same(tokens.verify(token), claims, 'accepted up to the last millisecond of the tolerance')
    clock.set(claims.exp * 1000 + 5001)
    t.throws(() => tokens.verify(token), new InvalidTokenError('ERR_TOKEN_EXPIRED', 'The access token expired', 'FAST_JWT_EXPIRED'))
    t.throws(() => tokens.verify(token), { name: 'InvalidTokenError', description: 'The access token expired' }, 'and stays refused')
  }
})

t.test('a refusal that time can undo is not remembered: a token used early verifies once its nbf comes', async (t) => {
  const start = 1_800_000_000_000
  const clock = fakeClock(t, start)
  const tokens = createTokenService({ ...OPTIONS, clockToleranceSeconds: 5 })
  const early = tokens.issue(ALICE, start / 1000 + 30)
  t.throws(() => tokens.verify(early.token), { name: 'InvalidTokenError', description: 'The access token is not valid yet' })
  t.throws(() => tokens.verify(early.token), { name: 'InvalidTokenError', description: 'The access token is not valid yet' })
  clock.set(start + 25_000)
  t.same(tokens.verify(early.token), early.claims, 'valid once its nbf (less the tolerance) is reached')

  const bad = early.token.slice(0, -2) + (early.token.endsWith('AA') ? 'BB' : 'AA')
  t.throws(() => tokens.verify(bad), { name: 'InvalidTokenError', description: 'The access token signature is invalid' })
  t.throws(() => tokens.verify(bad), { name: 'InvalidTokenError', description: 'The access token signature is invalid' })
})

t.test('notBefore raises iat and nbf, and never lowers them', async (t) => {
  const start = 1_800_000_000_000
  fakeClock(t, start)
  const tokens = createTokenService(OPTIONS)
  const now = start / 1000
  t.match(tokens.issue(ALICE, now + 1).claims, { iat: now + 1, nbf: now + 1, exp: now + 1 + 900 })
  t.match(tokens.issue(ALICE, now - 100).claims, { iat: now, nbf: now, exp: now + 900 })
  t.match(tokens.issue(ALICE).claims, { iat: now, nbf: now })
})

t.test('verify refuses what Tollgate did not issue as an access token', async (t) => {
  const tokens = createTokenService(OPTIONS)
  t.same((tokens.verify(forge({})) as AccessClaims).sub, 'user-1', 'the forging helper makes acceptable tokens by default')

  const { codes } = TokenError
  const refusals: Array<[string, string, string]> = [
    ['another key', forge({}, {}, { alg: 'HS256', secret: 'another-secret-that-is-at-least-32-bytes' }), codes.invalidSignature],
    ['HS384 with the same key', forge({}, {}, { alg: 'HS384', secret: SECRET }), codes.invalidAlgorithm],
    ['alg none', forge({}, {}, { alg: 'none', signature: '' }), codes.missingSignature],
    ['another issuer', forge({ iss: 'someone-else' }), codes.invalidClaimValue],
    ['another audience', forge({ aud: 'another-api' }), codes.invalidClaimValue],
    ['no typ', forge({}, { typ: undefined }), codes.invalidType],
    ['typ JWT', forge({}, { typ: 'JWT' }), codes.invalidType],
    ['an unknown crit header', forge({}, { crit: ['x-unknown'], 'x-unknown': 1 }), codes.invalidCritHeader],
    ['no jti', forge({ jti: undefined }), codes.missingRequiredClaim],
    ['no exp', forge({ exp: undefined }), codes.missingRequiredClaim],
    ['no nbf', forge({ nbf: undefined }), codes.missingRequiredClaim],
    ['a string exp', forge({ exp: 'tomorrow' }), codes.invalidClaimType],
    ['a numeric sub', forge({ sub: 42 }), codes.invalidClaimType],
    ['roles that are not a list', forge({ roles: 'admin' }), codes.invalidClaimType],
    ['a role that is not a string', forge({ roles: [{ admin: true }] }), codes.invalidClaimType],
    ['a numeric scope', forge({ scope: 1 }), codes.invalidClaimType],
    ['a string iat, which would slip past a cut-off', forge({ iat: 'yesterday' }), codes.invalidClaimType],
    ['an expired token', forge({ exp: Math.floor(Date.now() / 1000) - 60 }), codes.expired],
    ['a token not valid for another minute', forge({ nbf: Math.floor(Date.now() / 1000) + 60 }), codes.inactive],
    ['garbage', 'not.a.jwt', codes.malformed],
    ['an empty string', '', codes.malformed],
    ['an oversized token', 'a'.repeat(10_000), 'TOLLGATE_TOO_LONG']
  ]
  for (const [what, token, reason] of refusals) {
    t.throws(() => tokens.verify(token), { name: 'InvalidTokenError', reason, description: /^The access token / }, what)
  }
})
