import t, { type Test } from 'tap'
import { createTokenIntrospection } from '../../../src/oauth/introspection.js'
import { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import type { AccessClaims } from '@tollgate/auth/tokens/claims'
import { accessClaims, signToken, TEST_ISSUER } from '../../support/forge.js'
import { openModules, TEST_SECRET } from '../../support/modules.js'
import { stores, type Store } from '../../support/stores.js'

const INACTIVE = { active: false }

function introspectionCases (t: Test, store: Store): void {
  async function withLogin (t: Test) {
    const modules = await openModules(t, store)
    const alice = await modules.users.create({ username: 'alice', passwordHash: 'unused', roles: ['reader'] })
    const login = await modules.sessions.startSession(alice)
    const claims = modules.tokens.verify(login.access_token) as AccessClaims
    return { modules, alice, login, claims, refreshToken: login.refresh_token ?? '' }
  }

  t.test('a live access token of a login is active, with its claims', async (t) => {
    const { modules, alice, login, claims } = await withLogin(t)
    const answer = await modules.introspection.introspect(login.access_token)
    t.same(answer, {
      active: true, token_type: 'Bearer', sub: alice.id, scope: '', exp: claims.exp, iat: claims.iat, iss: TEST_ISSUER, aud: 'tollgate-api', jti: claims.jti, sid: claims.sid
    })
    t.same(modules.introspection.liveAccessToken(login.access_token), claims)
  })

  t.test('a client\'s access token names its client and scope, and has no session', async (t) => {
    const { modules } = await withLogin(t)
    const issued = modules.tokens.issue({ id: 'billing', roles: [], clientId: 'billing', scope: 'users:read' })
    t.match(await modules.introspection.introspect(issued.token), { active: true, token_type: 'Bearer', sub: 'billing', client_id: 'billing', scope: 'users:read' })
    t.notOk('sid' in await modules.introspection.introspect(issued.token))
  })

  t.test('a token for another audience is live too, and an exchanged one shows who acts (RFC 8693 §4.1)', async (t) => {
    const { modules, alice, claims } = await withLogin(t)
    const issued = modules.tokens.issue({
      id: alice.id, roles: [], clientId: 'billing', audience: 'https://ledger.example', sessionId: claims.sid ?? '', actor: { sub: 'billing', act: { sub: 'gateway' } }
    })
    t.match(await modules.introspection.introspect(issued.token), {
      active: true, sub: alice.id, aud: 'https://ledger.example', client_id: 'billing', sid: claims.sid, act: { sub: 'billing', act: { sub: 'gateway' } }
    })
    await modules.revocationStore.revokeSession(claims.sid ?? '')
    t.same(await modules.introspection.introspect(issued.token), INACTIVE, 'it ends with its session')
  })

  t.test('revoked, ended, expired, forged and malformed access tokens are inactive, and say nothing more', async (t) => {
    const { modules, login, claims } = await withLogin(t)
    const other = modules.tokens.issue({ id: 'bob', roles: [] })
    await modules.revocationStore.revokeToken(other.claims.jti, other.claims.exp)
    t.same(await modules.introspection.introspect(other.token), INACTIVE, 'a revoked token')
    await modules.revocationStore.revokeSession(claims.sid ?? '')
    t.same(await modules.introspection.introspect(login.access_token), INACTIVE, 'a token of an ended session')
    const expired = signToken(accessClaims({ iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_000_900 }), {}, { alg: 'HS256', secret: TEST_SECRET })
    t.same(await modules.introspection.introspect(expired), INACTIVE, 'an expired token')
    const forged = signToken(accessClaims(), {}, { alg: 'HS256', secret: 'another-secret-that-is-at-least-32-bytes' })
    t.same(await modules.introspection.introspect(forged), INACTIVE, 'a forged token')
    t.same(await modules.introspection.introspect('a.b.c'), INACTIVE)
    t.same(await modules.introspection.introspect('.'), INACTIVE)
    t.equal(modules.introspection.liveAccessToken('a.b.c'), undefined)
  })

  t.test('a live refresh token is active, and introspecting it does not spend it', async (t) => {
    const { modules, alice, claims, refreshToken } = await withLogin(t)
    const live = await modules.refreshTokens.findLive(refreshToken)
    t.same(await modules.introspection.introspect(refreshToken), {
      active: true,
      token_type: 'refresh_token',
      sub: alice.id,
      scope: '',
      exp: Math.floor((live?.expiresAt ?? 0) / 1000),
      iat: Math.floor((live?.createdAt ?? 0) / 1000),
      iss: TEST_ISSUER,
      sid: claims.sid
    })
    t.ok((await modules.sessions.refresh(refreshToken)).ok, 'it still refreshes')
    t.same(await modules.introspection.introspect(refreshToken), INACTIVE, 'spent, it is not live')
  })

  t.test('a refresh token is inactive once its session ended, in the store or only in memory', async (t) => {
    const ended = await withLogin(t)
    await ended.modules.refreshTokens.revokeFamily(ended.claims.sid ?? '', 'logout')
    t.same(await ended.modules.introspection.introspect(ended.refreshToken), INACTIVE)
    const inMemory = await withLogin(t)
    inMemory.modules.revocations.apply({ kind: 'session', id: inMemory.claims.sid ?? '', until: Math.floor(Date.now() / 1000) + 900 })
    t.same(await inMemory.modules.introspection.introspect(inMemory.refreshToken), INACTIVE)
    t.same(await inMemory.modules.introspection.introspect('never-issued'), INACTIVE, 'an unknown one')
  })

  t.test('a refresh token of a disabled or deleted user is inactive', async (t) => {
    const { modules, alice, refreshToken } = await withLogin(t)
    await modules.users.update(alice.id, { disabled: true })
    t.same(await modules.introspection.introspect(refreshToken), INACTIVE)
    await modules.users.update(alice.id, { disabled: false })
    t.equal((await modules.introspection.introspect(refreshToken)).active, true, 'enabled again, the session had not ended')
    await modules.users.remove(alice.id)
    t.same(await modules.introspection.introspect(refreshToken), INACTIVE)
  })
}

for (const store of stores) {
  t.test(`on ${store.name}`, async (t) => { introspectionCases(t, store) })
}

t.test('an access token whose key must first be fetched is not live: introspection never waits for a fetch', async (t) => {
  const introspection = createTokenIntrospection({
    tokens: { verifyAnyAudience: async () => accessClaims() as unknown as AccessClaims },
    revocations: new RevocationList(),
    refreshTokens: { findLive: async () => undefined },
    users: { findById: async () => undefined },
    issuer: TEST_ISSUER
  })
  t.equal(introspection.liveAccessToken('a.b.c'), undefined)
  t.same(await introspection.introspect('a.b.c'), INACTIVE)
})
