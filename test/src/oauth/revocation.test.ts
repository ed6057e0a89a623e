import t, { type Test } from 'tap'
import type { AccessClaims } from '@tollgate/auth/tokens/claims'
import { openModules } from '../../support/modules.js'
import { stores, type Store } from '../../support/stores.js'

function revocationCases (t: Test, store: Store): void {
  async function withLogin (t: Test) {
    const modules = await openModules(t, store)
    const alice = await modules.users.create({ username: 'alice', passwordHash: 'unused', roles: [] })
    const login = await modules.sessions.startSession(alice)
    const claims = modules.tokens.verify(login.access_token) as AccessClaims
    const familyRevoked = async (): Promise<boolean> => (await modules.db.selectFrom('refresh_families').select('revoked_at')
      .where('id', '=', claims.sid ?? '').executeTakeFirst())?.revoked_at != null
    return { modules, login, claims, refreshToken: login.refresh_token ?? '', familyRevoked }
  }

  t.test('a login\'s access token is revoked by whoever presents it, and its session ends with it', async (t) => {
    const { modules, login, claims, refreshToken, familyRevoked } = await withLogin(t)
    t.equal(await modules.revocation.revoke(login.access_token, undefined), 'access_token')
    t.ok(modules.revocations.isRevoked(claims))
    t.ok(await familyRevoked(), 'as a logout does')
    t.notOk((await modules.sessions.refresh(refreshToken)).ok, 'its refresh token no longer works')
    t.equal(await modules.revocation.revoke(login.access_token, undefined), undefined, 'revoked, it is no longer live: nothing to do')
  })

  t.test('a refresh token ends its session, the access tokens included', async (t) => {
    const { modules, claims, refreshToken, familyRevoked } = await withLogin(t)
    t.equal(await modules.revocation.revoke(refreshToken, 'billing'), 'refresh_token')
    t.ok(await familyRevoked())
    t.ok(modules.revocations.isRevoked(claims))
    t.equal(await modules.revocation.revoke(refreshToken, undefined), undefined)
  })

  t.test('a client\'s token is revoked only by that client, authenticated', async (t) => {
    const { modules } = await withLogin(t)
    const issued = modules.tokens.issue({ id: 'billing', roles: [], clientId: 'billing', scope: 'users:read' })
    await t.rejects(modules.revocation.revoke(issued.token, undefined), { code: 'ERR_INVALID_CLIENT' })
    await t.rejects(modules.revocation.revoke(issued.token, 'reports'), { code: 'ERR_UNAUTHORIZED_CLIENT' })
    t.notOk(modules.revocations.isRevoked(issued.claims), 'refused, it stays live')
    t.equal((await modules.db.selectFrom('revoked_tokens').select('jti').execute()).length, 0)
    t.equal(await modules.revocation.revoke(issued.token, 'billing'), 'access_token')
    t.ok(modules.revocations.isRevoked(issued.claims))
    t.match(await modules.db.selectFrom('revoked_tokens').select('jti').execute(), [{ jti: issued.claims.jti }])
    t.equal(await modules.revocation.revoke(issued.token, 'reports'), undefined, 'once revoked, any client gets the same empty answer')
  })

  t.test('a token that is not live needs nothing done, whoever asks', async (t) => {
    const { modules } = await withLogin(t)
    for (const token of ['never-issued', 'a.b.c', '']) {
      t.equal(await modules.revocation.revoke(token, undefined), undefined, JSON.stringify(token))
      t.equal(await modules.revocation.revoke(token, 'billing'), undefined)
    }
    t.equal(modules.revocations.size, 0, 'nothing was revoked')
  })
}

for (const store of stores) {
  t.test(`on ${store.name}`, async (t) => { revocationCases(t, store) })
}
