import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { accessClaims, signToken, TEST_ISSUER } from '../support/forge.js'
import { signingEnv, sqliteFile, writeKeyPair } from './keys.js'
import { startService, startTollgate, statusFor, TOLLGATE_CLAIMS } from './running-tollgate.js'

/** Moves Date.now forward (fast-jwt and the key set both read it); the real clock is back when the test ends. */
function clockOffset (t: Test) {
  const realNow = Date.now
  let offset = 0
  Date.now = () => realNow() + offset
  t.teardown(() => { Date.now = realNow })
  return { advance (ms: number) { offset += ms } }
}

t.test('a service registered with the JWKS URL of a running Tollgate accepts its tokens and applies scopes', async (t) => {
  const key = writeKeyPair(t.testdir(), 'ES256')
  const tollgate = await startTollgate(t, signingEnv(key))
  const service = await startService(t, { ...TOLLGATE_CLAIMS, jwksUrl: tollgate.jwksUrl })
  t.equal(tollgate.jwksRequests(), 1, 'the key set is fetched once, at registration')

  const reader = await tollgate.clientToken('reporter', ['reports:read'])
  const other = await tollgate.clientToken('directory', ['users:read'])
  const whoami = await service.inject({ url: '/whoami', headers: { authorization: `Bearer ${reader}` } })
  t.equal(whoami.statusCode, 200)
  t.same(whoami.json(), { sub: 'reporter' })
  t.equal(await statusFor(service, reader, '/reports'), 200)

  const forbidden = await service.inject({ url: '/reports', headers: { authorization: `Bearer ${other}` } })
  t.equal(forbidden.statusCode, 403)
  t.equal(forbidden.headers['www-authenticate'], 'Bearer realm="tollgate", error="insufficient_scope", scope="reports:read"')
  t.equal(await statusFor(service, other), 200)

  const missing = await service.inject({ url: '/reports' })
  t.equal(missing.statusCode, 401)
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="tollgate"')
  t.equal(tollgate.jwksRequests(), 1, 'known keys are never fetched again')
})

t.test('after Tollgate restarts on a new key, the service fetches the key set once and accepts old and new tokens', async (t) => {
  const dir = t.testdir()
  const a = writeKeyPair(dir, 'ES256', 'a')
  const b = writeKeyPair(dir, 'ES256', 'b')
  const store = { DATABASE_URL: sqliteFile(dir) }
  const refetchIntervalMs = 20

  const before = await startTollgate(t, signingEnv(a, [], store))
  const service = await startService(t, { ...TOLLGATE_CLAIMS, jwksUrl: before.jwksUrl, refetchIntervalMs })
  const seen = await before.clientToken('reporter', ['reports:read'])
  const unseen = await before.clientToken('reporter', ['reports:read'])
  t.equal(await statusFor(service, seen), 200)
  await before.app.close()

  // Same port, so the service's JWKS URL now reaches the restarted Tollgate.
  const after = await startTollgate(t, signingEnv(b, [a], store), before.port)
  const fresh = await after.clientToken('reporter', ['reports:read'])
  await sleep(refetchIntervalMs + 10)

  // Every service request right after a rotation carries the new kid: all of them wait for one fetch.
  const statuses = await Promise.all(Array.from({ length: 20 }, async () => statusFor(service, fresh)))
  t.same(statuses, Array(20).fill(200), 'tokens of the new key are accepted once the key set is fetched again')
  t.equal(after.jwksRequests(), 1, 'one fetch for the new kid')
  t.equal(await statusFor(service, seen), 200)
  t.equal(await statusFor(service, unseen), 200, 'a token of the retired key, never seen before, still verifies')
  t.equal(await statusFor(service, fresh, '/reports'), 200)
  t.equal(after.jwksRequests(), 1, 'no fetch for keys already held')
})

t.test('tokens with unknown kids fetch the key set at most once per interval', async (t) => {
  const dir = t.testdir()
  const key = writeKeyPair(dir, 'ES256', 'tollgate')
  const attacker = writeKeyPair(dir, 'ES256', 'attacker')
  const clock = clockOffset(t)
  const refetchIntervalMs = 60_000
  const tollgate = await startTollgate(t, signingEnv(key))
  const service = await startService(t, { ...TOLLGATE_CLAIMS, jwksUrl: tollgate.jwksUrl, refetchIntervalMs })
  const genuine = await tollgate.clientToken('reporter', ['reports:read'])
  const forged = () => signToken(accessClaims(), { kid: randomBytes(32).toString('base64url') }, { alg: 'ES256', privatePem: attacker.privatePem })
  const flood = async (count: number) => Promise.all(Array.from({ length: count }, async () => statusFor(service, forged())))

  t.equal(tollgate.jwksRequests(), 1)
  t.same(new Set(await flood(50)), new Set([401]), 'within the interval every unknown kid is refused')
  t.equal(tollgate.jwksRequests(), 1, 'without a fetch')

  clock.advance(refetchIntervalMs + 1)
  t.same(new Set(await flood(50)), new Set([401]))
  t.equal(tollgate.jwksRequests(), 2, 'fifty concurrent unknown kids after the interval cost one fetch')
  t.same(new Set(await flood(50)), new Set([401]))
  t.equal(tollgate.jwksRequests(), 2, 'and the next ones none')

  clock.advance(refetchIntervalMs + 1)
  for (let i = 0; i < 10; i++) t.equal(await statusFor(service, forged()), 401)
  t.equal(tollgate.jwksRequests(), 3, 'one after one: still a single fetch')
  t.equal(await statusFor(service, genuine), 200, 'and genuine tokens pass throughout')
})

t.test('when Tollgate goes away the service keeps its keys, and unknown kids are refused at once', async (t) => {
  const dir = t.testdir()
  const key = writeKeyPair(dir, 'ES256', 'tollgate')
  const stranger = writeKeyPair(dir, 'ES256', 'stranger')
  const refetchIntervalMs = 20
  const tollgate = await startTollgate(t, signingEnv(key))
  const service = await startService(t, { ...TOLLGATE_CLAIMS, jwksUrl: tollgate.jwksUrl, refetchIntervalMs })
  const seen = await tollgate.clientToken('reporter', ['reports:read'])
  const unseen = await tollgate.clientToken('reporter', ['reports:read'])
  t.equal(await statusFor(service, seen), 200)
  await tollgate.app.close()

  await sleep(refetchIntervalMs + 10)
  const unknown = signToken(accessClaims(), { kid: stranger.kid }, { alg: 'ES256', privatePem: stranger.privatePem })
  const refused = await service.inject({ url: '/whoami', headers: { authorization: `Bearer ${unknown}` } })
  t.equal(refused.statusCode, 401, 'the failed fetch ends in a refusal, not an error')
  t.match(refused.headers['www-authenticate'], /error="invalid_token"/)
  t.equal(await statusFor(service, unseen), 200, 'the keys fetched before keep verifying')
  t.equal(await statusFor(service, seen, '/reports'), 200)
  await sleep(refetchIntervalMs + 10)
  t.equal(await statusFor(service, unknown), 401)
  t.equal(await statusFor(service, unseen), 200, 'a second failed fetch does not drop them either')
})

t.test('a service given Tollgate\'s public key verifies without fetching anything', async (t) => {
  const key = writeKeyPair(t.testdir(), 'ES256')
  const tollgate = await startTollgate(t, signingEnv(key))
  const service = await startService(t, { ...TOLLGATE_CLAIMS, publicKey: key.publicPem, algorithm: 'ES256' })

  const reader = await tollgate.clientToken('reporter', ['reports:read'])
  const other = await tollgate.clientToken('directory', ['users:read'])
  t.equal(await statusFor(service, reader, '/reports'), 200)
  t.equal(await statusFor(service, other, '/reports'), 403)
  t.equal(await statusFor(service, other), 200)
  t.equal(tollgate.jwksRequests(), 0)

  const elsewhere = await startService(t, { issuer: TEST_ISSUER, audience: 'another-api', publicKey: key.publicPem, algorithm: 'ES256' })
  t.equal(await statusFor(elsewhere, reader), 401, 'a token for another audience is refused')
})

t.test('a public key that does not fit the algorithm stops the service at registration', async (t) => {
  const dir = t.testdir()
  const ed25519 = writeKeyPair(dir, 'EdDSA', 'ed')
  await t.rejects(startService(t, { ...TOLLGATE_CLAIMS, publicKey: ed25519.publicPem, algorithm: 'ES256' }), /ES256 needs an EC key on P-256/)
  await t.rejects(startService(t, { ...TOLLGATE_CLAIMS, publicKey: 'not a key', algorithm: 'EdDSA' }))
})
