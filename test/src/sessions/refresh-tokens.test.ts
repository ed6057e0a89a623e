import t, { type Test } from 'tap'
import { createRefreshTokenStore } from '../../../src/sessions/refresh-tokens.js'
import { openDatabase, stores, type Store } from '../../support/stores.js'

const TTL = 3600

/** Date.now held still, and moved only by the test; the real clock is back when the test ends. */
function fakeClock (t: Test) {
  const realNow = Date.now
  const clock = { now: realNow() }
  Date.now = () => clock.now
  t.teardown(() => { Date.now = realNow })
  return clock
}

function refreshTokenCases (t: Test, store: Store): void {
  async function open (t: Test, ttlSeconds = TTL) {
    const db = await openDatabase(t, store)
    return { db, refreshTokens: createRefreshTokenStore(db, ttlSeconds) }
  }

  t.test('a login starts a family whose token is live and stored only as a hash', async (t) => {
    const { db, refreshTokens } = await open(t)
    const before = Date.now()
    const { familyId, token } = await refreshTokens.startFamily('alice', { userAgent: 'curl/8', address: '10.0.0.1' })
    t.match(familyId, /^[0-9a-f-]{36}$/)
    t.match(token, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url')
    const live = await refreshTokens.findLive(token)
    t.match(live, { familyId, userId: 'alice' })
    t.ok((live?.expiresAt ?? 0) - (live?.createdAt ?? 0) === TTL * 1000, 'expires after the configured lifetime')
    t.ok((live?.createdAt ?? 0) >= before)
    const rows = await db.selectFrom('refresh_tokens').select('token_hash').execute()
    t.equal(rows.length, 1)
    t.not(rows[0]?.token_hash, token, 'the token itself is not stored')
    t.same((await refreshTokens.liveSessions({ userId: 'alice' })).map(({ id, userAgent, address }) => ({ id, userAgent, address })),
      [{ id: familyId, userAgent: 'curl/8', address: '10.0.0.1' }])
    t.equal(await refreshTokens.findLive('not-a-token'), undefined)
  })

  t.test('rotation spends the token and adds the next one to the same family', async (t) => {
    const { refreshTokens } = await open(t)
    const { familyId, token } = await refreshTokens.startFamily('alice')
    const rotated = await refreshTokens.rotate(token, { userAgent: 'app/2', address: '10.0.0.2' })
    if (rotated.outcome !== 'rotated') throw new Error(`expected a rotation, got ${rotated.outcome}`)
    t.match(rotated, { userId: 'alice', familyId })
    t.not(rotated.token, token)
    t.equal(await refreshTokens.findLive(token), undefined, 'the spent token is no longer live')
    t.match(await refreshTokens.findLive(rotated.token), { familyId, userId: 'alice' })
    t.match(await refreshTokens.liveSessions({ familyId }), [{ id: familyId, userAgent: 'app/2', address: '10.0.0.2' }], 'the family says where it was used last')
    const again = await refreshTokens.rotate(rotated.token)
    t.equal(again.outcome, 'rotated', 'the new token rotates in turn')
  })

  t.test('a spent token presented again revokes its whole family', async (t) => {
    const { refreshTokens } = await open(t)
    const { familyId, token } = await refreshTokens.startFamily('alice')
    const rotated = await refreshTokens.rotate(token)
    t.equal(rotated.outcome, 'rotated')
    t.same(await refreshTokens.rotate(token), { outcome: 'reused', userId: 'alice', familyId })
    if (rotated.outcome === 'rotated') {
      t.equal(await refreshTokens.findLive(rotated.token), undefined, 'the live token of the family ends with it')
      t.same(await refreshTokens.rotate(rotated.token), { outcome: 'revoked' })
    }
    t.same(await refreshTokens.rotate(token), { outcome: 'revoked' }, 'a reuse of a revoked family is only refused')
    t.same(await refreshTokens.liveSessions({ userId: 'alice' }), [])
    t.same((await refreshTokens.revokedSince(0)).map(({ id }) => id), [familyId])
  })

  t.test('an unknown token is unknown and an expired one expired', async (t) => {
    t.same(await (await open(t)).refreshTokens.rotate('never-issued'), { outcome: 'unknown' })
    const { refreshTokens } = await open(t, 0)
    const { token } = await refreshTokens.startFamily('alice')
    t.equal(await refreshTokens.findLive(token), undefined)
    t.same(await refreshTokens.liveSessions({ userId: 'alice' }), [], 'a family with only expired tokens is no session')
    t.same(await refreshTokens.rotate(token), { outcome: 'expired' })
  })

  t.test('of concurrent rotations of one token exactly one wins', async (t) => {
    const { refreshTokens } = await open(t)
    const { familyId, token } = await refreshTokens.startFamily('alice')
    const results = await Promise.all(Array.from({ length: 5 }, () => refreshTokens.rotate(token)))
    const outcomes = results.map((result) => result.outcome)
    t.equal(outcomes.filter((outcome) => outcome === 'rotated').length, 1, `one rotated of ${outcomes.join(', ')}`)
    t.ok(outcomes.includes('reused'), 'the others are a reuse, which ends the family')
    t.ok(outcomes.every((outcome) => outcome === 'rotated' || outcome === 'reused' || outcome === 'revoked'))
    const winner = results.find((result) => result.outcome === 'rotated')
    if (winner?.outcome === 'rotated') t.equal(await refreshTokens.findLive(winner.token), undefined)
    t.same((await refreshTokens.revokedSince(0)).map(({ id }) => id), [familyId])
  })

  t.test('revokeFamily ends one family once', async (t) => {
    const { refreshTokens } = await open(t)
    const one = await refreshTokens.startFamily('alice')
    const other = await refreshTokens.startFamily('alice')
    const since = Date.now()
    t.equal(await refreshTokens.revokeFamily(one.familyId, 'logout'), true)
    t.equal(await refreshTokens.revokeFamily(one.familyId, 'logout'), false, 'a revoked family is not live')
    t.equal(await refreshTokens.revokeFamily('00000000-0000-4000-8000-000000000000', 'logout'), false)
    t.same(await refreshTokens.rotate(one.token), { outcome: 'revoked' })
    t.same((await refreshTokens.liveSessions({ userId: 'alice' })).map(({ id }) => id), [other.familyId])
    const revoked = await refreshTokens.revokedSince(since)
    t.same(revoked.map(({ id }) => id), [one.familyId])
    t.ok((revoked[0]?.revokedAt ?? 0) >= since)
    t.same(await refreshTokens.revokedSince(Date.now() + 1000), [], 'nothing was revoked after now')
  })

  t.test('revokeUserFamilies ends every family of the user but the one spared', async (t) => {
    const { refreshTokens } = await open(t)
    const [first, second, kept] = [await refreshTokens.startFamily('alice'), await refreshTokens.startFamily('alice'), await refreshTokens.startFamily('alice')]
    const bob = await refreshTokens.startFamily('bob')
    const ended = await refreshTokens.revokeUserFamilies('alice', 'password-changed', kept?.familyId)
    t.same(ended.sort(), [first?.familyId, second?.familyId].sort())
    t.same((await refreshTokens.liveSessions({ userId: 'alice' })).map(({ id }) => id), [kept?.familyId])
    t.same((await refreshTokens.liveSessions({ userId: 'bob' })).map(({ id }) => id), [bob.familyId], 'other users keep theirs')
    t.same(await refreshTokens.revokeUserFamilies('alice', 'logout-all'), [kept?.familyId], 'without an exception the last one ends too')
    t.same(await refreshTokens.revokeUserFamilies('alice', 'logout-all'), [], 'nothing is ended twice')
  })

  t.test('live sessions come most recently used first, with client details cut to their columns', async (t) => {
    const { refreshTokens } = await open(t)
    const clock = fakeClock(t)
    const older = await refreshTokens.startFamily('alice', { userAgent: '😀'.repeat(300) })
    clock.now += 1000
    const newer = await refreshTokens.startFamily('alice')
    t.same((await refreshTokens.liveSessions({ userId: 'alice' })).map(({ id }) => id), [newer.familyId, older.familyId])
    clock.now += 1000
    await refreshTokens.rotate(older.token)
    const sessions = await refreshTokens.liveSessions({ userId: 'alice' })
    t.same(sessions.map(({ id }) => id), [older.familyId, newer.familyId], 'a refresh moves its session first')
    t.match(sessions[0], { lastUsedAt: clock.now, createdAt: clock.now - 2000, userAgent: null, address: null }, 'the last use replaces the client details')
    t.same(await refreshTokens.liveSessions({ userId: 'nobody' }), [])
    const clipped = await refreshTokens.startFamily('bob', { userAgent: '😀'.repeat(300), address: 'x'.repeat(100) })
    t.match(await refreshTokens.liveSessions({ familyId: clipped.familyId }), [{ userAgent: '😀'.repeat(256), address: 'x'.repeat(64) }])
  })

  t.test('purgeExpired deletes expired tokens and the families left with none', async (t) => {
    const { db, refreshTokens } = await open(t)
    const clock = fakeClock(t)
    const alice = await refreshTokens.startFamily('alice')
    const rotated = await refreshTokens.rotate(alice.token)
    clock.now += 1000
    const bob = await refreshTokens.startFamily('bob')
    const count = async (table: 'refresh_tokens' | 'refresh_families') => (await db.selectFrom(table).selectAll().execute()).length
    await refreshTokens.purgeExpired()
    t.equal(await count('refresh_tokens'), 3, 'nothing has expired yet: spent tokens stay to catch a reuse')
    const aliceExpiry = clock.now - 1000 + TTL * 1000
    await refreshTokens.purgeExpired(aliceExpiry)
    t.equal(await count('refresh_tokens'), 3, 'a token is kept until after its expiry')
    await refreshTokens.purgeExpired(aliceExpiry + 1)
    t.equal(await count('refresh_tokens'), 1)
    t.same((await db.selectFrom('refresh_families').select('user_id').execute()).map((row) => row.user_id), ['bob'], 'the family left without tokens is deleted')
    if (rotated.outcome === 'rotated') t.same(await refreshTokens.rotate(rotated.token), { outcome: 'unknown' })
    t.match(await refreshTokens.findLive(bob.token), { userId: 'bob' })
    await refreshTokens.purgeExpired(aliceExpiry + 1001)
    t.equal(await count('refresh_tokens'), 0)
    t.equal(await count('refresh_families'), 0)
  })
}

for (const store of stores) {
  t.test(`on ${store.name}`, async (t) => { refreshTokenCases(t, store) })
}
