import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, createUser, login, type TestUser } from '../helper.js'
import { accessClaims, decodeJwt, signToken } from '../support/forge.js'
import { tokenRequest } from '../support/client-assertions.js'
import { ASYMMETRIC, signingEnv, sqliteFile, writeKeyPair } from './keys.js'

const TTL_SECONDS = 900
/** How long Tollgate keeps a retired key: one token lifetime plus a minute of clock leeway. */
const GRACE_MS = TTL_SECONDS * 1000 + 60_000

const me = async (app: FastifyInstance, token: string) => app.inject({ url: '/users/me', headers: bearer(token) })

async function jwksKids (app: FastifyInstance): Promise<string[]> {
  const response = await app.inject({ url: '/.well-known/jwks.json' })
  return (response.json() as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid).sort()
}

for (const algorithm of ASYMMETRIC) {
  t.test(`${algorithm}: a retired key verifies its tokens for one lifetime, then neither verifies nor is published`, async (t) => {
    const dir = t.testdir()
    const a = writeKeyPair(dir, algorithm, 'a')
    const b = writeKeyPair(dir, algorithm, 'b')
    const store = { DATABASE_URL: sqliteFile(dir), ACCESS_TOKEN_TTL: String(TTL_SECONDS) }

    const first = await build(t, signingEnv(a, [], store))
    const alice: TestUser = await createUser(first)
    const tokenA = await login(first, alice)
    t.equal(decodeJwt(tokenA).header.kid, a.kid)
    await first.close()

    const rotated = await build(t, signingEnv(b, [a], store))
    t.equal((await me(rotated, tokenA)).statusCode, 200, 'a token of the retired key is still accepted')
    const tokenB = await login(rotated, alice)
    t.equal(decodeJwt(tokenB).header.kid, b.kid, 'new tokens are signed by the new key')
    t.equal((await me(rotated, tokenB)).statusCode, 200)
    t.same(await jwksKids(rotated), [a.kid, b.kid].sort(), 'the JWKS lists the signing key and the retired one')

    // As if the rotation had happened longer ago than any token of the old key can live.
    await rotated.db.updateTable('signing_keys').set({ retired_at: Date.now() - GRACE_MS - 1000 }).where('kid', '=', a.kid).execute()
    await rotated.close()

    const later = await build(t, signingEnv(b, [a], store))
    const refused = await me(later, tokenA)
    t.equal(refused.statusCode, 401, 'the retired key no longer verifies')
    t.match(refused.headers['www-authenticate'], /error="invalid_token"/)
    t.equal((await me(later, tokenB)).statusCode, 200)
    t.same(await jwksKids(later), [b.kid], 'the JWKS no longer lists the retired key')
  })
}

t.test('a retired key named again after its grace window is not brought back', async (t) => {
  const dir = t.testdir()
  const a = writeKeyPair(dir, 'ES256', 'a')
  const b = writeKeyPair(dir, 'ES256', 'b')
  const store = { DATABASE_URL: sqliteFile(dir) }

  const first = await build(t, signingEnv(a, [], store))
  const tokenA = await login(first, await createUser(first))
  await first.close()
  const rotated = await build(t, signingEnv(b, [a], store))
  await rotated.db.updateTable('signing_keys').set({ retired_at: Date.now() - 3_600_000 }).where('kid', '=', a.kid).execute()
  await rotated.close()

  // Each start records the keys again: the old retirement time must stand, not restart the window.
  for (let start = 0; start < 2; start++) {
    const app = await build(t, signingEnv(b, [a], store))
    t.equal((await me(app, tokenA)).statusCode, 401)
    await app.close()
  }
})

t.test('a token signed by a key Tollgate was never given is refused', async (t) => {
  const dir = t.testdir()
  const configured = writeKeyPair(dir, 'ES256', 'configured')
  const stranger = writeKeyPair(dir, 'ES256', 'stranger')
  const app = await build(t, signingEnv(configured))
  const alice = await createUser(app)
  const claims = accessClaims({ sub: alice.id })

  for (const kid of [stranger.kid, configured.kid]) {
    const response = await me(app, signToken(claims, { kid }, { alg: 'ES256', privatePem: stranger.privatePem }))
    t.equal(response.statusCode, 401, kid === configured.kid ? 'even under the kid of the real key' : 'under its own kid')
    t.match(response.headers['www-authenticate'], /error="invalid_token"/)
  }
  // The same claims under the real key pass, so the refusals above are about the key alone.
  const genuine = signToken(claims, { kid: configured.kid }, { alg: 'ES256', privatePem: configured.privatePem })
  t.equal((await me(app, genuine)).statusCode, 200)
})

t.test('a retired key stops verifying when its window ends, without a restart, even for tokens already seen', async (t) => {
  const dir = t.testdir()
  const a = writeKeyPair(dir, 'ES256', 'a')
  const b = writeKeyPair(dir, 'ES256', 'b')
  const app = await build(t, signingEnv(b, [a], { ACCESS_TOKEN_TTL: String(TTL_SECONDS) }))
  const alice = await createUser(app)
  // Longer-lived than Tollgate would ever sign: what someone holding the old private key could make.
  const longLived = () => signToken(accessClaims({ sub: alice.id, exp: Math.floor(Date.now() / 1000) + 7200 }), { kid: a.kid }, { alg: 'ES256', privatePem: a.privatePem })
  const seen = longLived()
  const unseen = longLived()
  t.equal((await me(app, seen)).statusCode, 200, 'accepted within the window')

  const realNow = Date.now
  Date.now = () => realNow() + GRACE_MS + 1000
  t.teardown(() => { Date.now = realNow })
  t.same(await jwksKids(app), [b.kid], 'the JWKS drops the key at the end of its window')
  for (const [name, token] of [['a token never seen', unseen], ['a token verified within the window', seen]] as const) {
    const response = await me(app, token)
    t.equal(response.statusCode, 401, name)
    t.match(response.headers['www-authenticate'], /error_description="The access token was signed with an unknown key"/, name)
  }
})

t.test('a retired key verifies a client\'s longer-lived tokens as long as they live', async (t) => {
  const dir = t.testdir()
  const a = writeKeyPair(dir, 'ES256', 'a')
  const b = writeKeyPair(dir, 'ES256', 'b')
  const store = { DATABASE_URL: sqliteFile(dir), ACCESS_TOKEN_TTL: String(TTL_SECONDS) }
  const first = await build(t, signingEnv(a, [], store))
  const { secret = '' } = await first.clients.administration.add('billing', { tokenTtl: 3600 })
  const granted = await tokenRequest(first, { grant_type: 'client_credentials', client_id: 'billing', client_secret: secret })
  const token: string = granted.json().access_token
  await first.close()

  const rotated = await build(t, signingEnv(b, [a], store))
  // Longer ago than ACCESS_TOKEN_TTL, well within the client's hour.
  await rotated.db.updateTable('signing_keys').set({ retired_at: Date.now() - GRACE_MS - 1000 }).where('kid', '=', a.kid).execute()
  await rotated.close()
  const later = await build(t, signingEnv(b, [a], store))
  t.match(await later.tokens.verify(token), { sub: 'billing' }, 'the client\'s token still verifies')
  t.same(await jwksKids(later), [a.kid, b.kid].sort(), 'and the key is still published')
})
