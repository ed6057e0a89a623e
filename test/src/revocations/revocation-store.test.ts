import t, { type Test } from 'tap'
import { RevocationList } from '@tollgate/auth/revocations/revocation-list'
import { createRevocationStore } from '../../../src/revocations/revocation-store.js'
import { ACCESS_TOKEN_TTL_MAX, CLOCK_LEEWAY_SECONDS, type AccessClaims } from '@tollgate/auth/tokens/claims'
import { accessClaims } from '../../support/forge.js'
import { modulesOver, openModules } from '../../support/modules.js'
import { stores, type Store } from '../../support/stores.js'

const nowSeconds = (): number => Math.floor(Date.now() / 1000)
const claims = (overrides: Partial<AccessClaims> = {}): AccessClaims => ({ ...accessClaims(), ...overrides }) as unknown as AccessClaims

function storeCases (t: Test, store: Store): void {
  t.test('revokeToken refuses the token at once and records it once', async (t) => {
    const { db, revocations, revocationStore } = await openModules(t, store)
    const token = claims()
    await revocationStore.revokeToken(token.jti, token.exp)
    t.ok(revocations.isRevoked(token))
    t.notOk(revocations.isRevoked(claims()), 'another token is not')
    await revocationStore.revokeToken(token.jti, token.exp)
    const rows = await db.selectFrom('revoked_tokens').selectAll().execute()
    t.match(rows, [{ jti: token.jti, expires_at: token.exp }])
    t.ok(Number(rows[0]?.revoked_at) <= Date.now())
  })

  t.test('revokeSession refuses every token of the session for as long as one can live', async (t) => {
    const { revocations, revocationStore } = await openModules(t, store)
    await revocationStore.revokeSession('family-1')
    t.ok(revocations.isRevoked(claims({ sid: 'family-1' })))
    t.notOk(revocations.isRevoked(claims({ sid: 'family-2' })))
    const [entry] = revocations.snapshot()
    t.ok((entry?.until ?? 0) >= nowSeconds() + ACCESS_TOKEN_TTL_MAX, 'kept until the longest-lived token has expired')
  })

  t.test('cutOff refuses the user\'s older tokens and records the latest cut-off', async (t) => {
    const { db, revocations, revocationStore } = await openModules(t, store)
    const old = claims({ sub: 'alice', iat: nowSeconds() - 10 })
    await revocationStore.cutOff('alice', nowSeconds() - 5)
    t.ok(revocations.isRevoked(old))
    t.notOk(revocations.isRevoked(claims({ sub: 'alice', iat: nowSeconds() })))
    await revocationStore.cutOff('alice', nowSeconds() + 1)
    t.ok(revocations.isRevoked(claims({ sub: 'alice', iat: nowSeconds() })))
    t.match(await db.selectFrom('user_cutoffs').selectAll().execute(), [{ user_id: 'alice', not_before: nowSeconds() + 1 }])
  })

  t.test('sync reads what another instance recorded in the same database', async (t) => {
    const one = await openModules(t, store)
    const other = await modulesOver(one.db)
    const token = claims()
    await one.revocationStore.revokeToken(token.jti, token.exp)
    await one.revocationStore.cutOff('alice', nowSeconds() + 1)
    const { familyId } = await one.refreshTokens.startFamily('bob')
    await one.ending.endSessions([familyId], 'logout')
    const olderToken = claims({ sub: 'alice', iat: nowSeconds() })
    t.notOk(other.revocations.isRevoked(token), 'the other instance knows nothing yet')

    await other.revocationStore.sync()
    t.ok(other.revocations.isRevoked(token))
    t.ok(other.revocations.isRevoked(olderToken), 'the cut-off')
    t.ok(other.revocations.isSessionRevoked(familyId), 'the ended session')
    t.same(other.revocations.applied['database-poll'], { token: 1, session: 1, cutoff: 1 })

    const later = claims()
    await one.revocationStore.revokeToken(later.jti, later.exp)
    await other.revocationStore.sync()
    t.ok(other.revocations.isRevoked(later), 'a later sync reads what came since')
    t.same(other.revocations.applied['database-poll'], { token: 2, session: 1, cutoff: 1 }, 'and applies nothing twice')
  })

  t.test('sync leaves out what can no longer match a live token', async (t) => {
    const { db } = await openModules(t, store)
    const longAgo = Date.now() - (ACCESS_TOKEN_TTL_MAX + CLOCK_LEEWAY_SECONDS + 60) * 1000
    await db.insertInto('revoked_tokens').values({ jti: 'expired', expires_at: nowSeconds() - CLOCK_LEEWAY_SECONDS - 1, revoked_at: longAgo }).execute()
    await db.insertInto('user_cutoffs').values({ user_id: 'alice', not_before: Math.floor(longAgo / 1000), updated_at: longAgo }).execute()
    await db.insertInto('refresh_families').values({ id: 'old-family', user_id: 'bob', created_at: longAgo, revoked_at: longAgo, revoked_reason: 'logout' }).execute()
    const fresh = await modulesOver(db)
    await fresh.revocationStore.sync()
    t.equal(fresh.revocations.size, 0, `nothing loaded: ${JSON.stringify(fresh.revocations.snapshot())}`)
  })

  t.test('purgeExpired forgets expired revocations in memory and in the store, and expired refresh tokens', async (t) => {
    const { db, revocations, revocationStore, refreshTokens } = await openModules(t, store)
    const now = nowSeconds()
    await revocationStore.revokeToken('short', now + 60)
    await revocationStore.revokeToken('long', now + 600)
    await refreshTokens.startFamily('alice')
    await revocationStore.purgeExpired(now)
    t.equal(revocations.size, 2, 'nothing has expired yet')
    const later = now + 60 + CLOCK_LEEWAY_SECONDS + 1
    await revocationStore.purgeExpired(later)
    t.same(revocations.snapshot().map(({ id }) => id), ['long'])
    t.same((await db.selectFrom('revoked_tokens').select('jti').execute()).map(({ jti }) => jti), ['long'])
    t.equal((await db.selectFrom('refresh_tokens').select('token_hash').execute()).length, 1, 'the refresh token lives an hour')
    await revocationStore.purgeExpired(now + 3601)
    t.same(await db.selectFrom('refresh_families').select('id').execute(), [], 'and goes with the refresh store\'s purge')
  })

  t.test('a publish that fails is reported, never thrown: memory and the store have the revocation', async (t) => {
    const failure = new Error('Redis is down')
    const { db, revocations, revocationStore, publishErrors } = await openModules(t, store, { publish: async () => { throw failure } })
    const token = claims()
    await revocationStore.revokeToken(token.jti, token.exp)
    await revocationStore.revokeSession('family-1')
    await revocationStore.cutOff('alice', nowSeconds())
    t.same(publishErrors, [failure, failure, failure])
    t.ok(revocations.isRevoked(token))
    t.ok(revocations.isSessionRevoked('family-1'))
    t.equal((await db.selectFrom('revoked_tokens').select('jti').execute()).length, 1)

    // Without a listener the failure is dropped, and the revocation still holds.
    const quiet = createRevocationStore(db, new RevocationList(), { revokedSince: async () => [], purgeExpired: async () => {} },
      { maxTokenTtlSeconds: ACCESS_TOKEN_TTL_MAX, publish: async () => { throw failure } })
    await t.resolves(quiet.revokeSession('family-2'))
  })
}

for (const store of stores) {
  t.test(`on ${store.name}`, async (t) => { storeCases(t, store) })
}
