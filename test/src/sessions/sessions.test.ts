import argon2 from 'argon2'
import t, { type Test } from 'tap'
import { HASH_OPTIONS } from '../../../src/passwords/password-hasher.js'
import type { RefreshResult } from '../../../src/sessions/sessions.js'
import type { AccessClaims } from '@tollgate/auth/tokens/claims'
import { decodeJwt } from '../../support/forge.js'
import { openModules, type Modules } from '../../support/modules.js'
import { stores, type Store } from '../../support/stores.js'

const PASSWORD = 'correct horse battery staple'

/** The claims of an access token the modules issued (verified with their own key). */
const claimsOf = (modules: Modules, token: string): AccessClaims => modules.tokens.verify(token) as AccessClaims

/** What a refused refresh tells the audit log: reason and whose. */
function refusal (result: RefreshResult): { code: string, reason: string | undefined, subject: string | undefined } | undefined {
  return result.ok ? undefined : { code: result.error.code, reason: result.error.reason, subject: result.error.subject }
}

async function familyRow (modules: Modules, familyId: string) {
  return modules.db.selectFrom('refresh_families').select(['revoked_at', 'revoked_reason']).where('id', '=', familyId).executeTakeFirst()
}

function sessionCases (t: Test, store: Store): void {
  async function withAlice (t: Test, options: Parameters<typeof openModules>[2] = {}) {
    const modules = await openModules(t, store, options)
    const alice = await modules.users.create({ username: 'alice', passwordHash: await modules.passwords.hash(PASSWORD), roles: ['reader'] })
    return { modules, alice }
  }

  t.test('checkCredentials finds the user with the right password only, and never a disabled one', async (t) => {
    const { modules, alice } = await withAlice(t)
    const { sessions, users } = modules
    t.same(await sessions.checkCredentials('alice', PASSWORD), alice)
    t.same(await sessions.checkCredentials('ALICE', PASSWORD), alice, 'the username in any case')
    t.equal(await sessions.checkCredentials('alice', 'wrong'), undefined)
    t.equal(await sessions.checkCredentials('nobody', PASSWORD), undefined)
    await users.update(alice.id, { disabled: true })
    t.equal(await sessions.checkCredentials('alice', PASSWORD), undefined, 'a disabled user cannot log in')
  })

  t.test('checkCredentials stores a stronger hash when the old one was weaker', async (t) => {
    const { modules, alice } = await withAlice(t)
    const weak = await argon2.hash(PASSWORD, { ...HASH_OPTIONS, memoryCost: 8192, timeCost: 1 })
    await modules.users.update(alice.id, { passwordHash: weak })
    t.same(await modules.sessions.checkCredentials('alice', PASSWORD), alice)
    const stored = (await modules.users.findByUsername('alice'))?.passwordHash ?? ''
    t.not(stored, weak)
    t.notOk(argon2.needsRehash(stored, HASH_OPTIONS), 'rehashed with the current parameters')
    t.ok(await argon2.verify(stored, PASSWORD))
    t.equal((await modules.users.findByUsername('alice'))?.passwordHash, stored)
    t.same(await modules.sessions.checkCredentials('alice', PASSWORD), alice)
    t.equal((await modules.users.findByUsername('alice'))?.passwordHash, stored, 'a current hash is left alone')
    await modules.users.update(alice.id, { passwordHash: weak })
    t.equal(await modules.sessions.checkCredentials('alice', 'wrong'), undefined)
    t.equal((await modules.users.findByUsername('alice'))?.passwordHash, weak, 'a wrong password rehashes nothing')
  })

  t.test('startSession issues an access token tied to a new session, and its refresh token', async (t) => {
    const { modules, alice } = await withAlice(t)
    const response = await modules.sessions.startSession(alice, { userAgent: 'tap' })
    t.match(response, { token_type: 'Bearer', expires_in: 900, refresh_token: /^[A-Za-z0-9_-]{43}$/ })
    t.notOk('scope' in response, 'a login has no scope')
    const claims = claimsOf(modules, response.access_token)
    t.match(claims, { sub: alice.id, roles: ['reader'] })
    t.match(await modules.refreshTokens.liveSessions({ userId: alice.id }), [{ id: claims.sid, userAgent: 'tap' }])
  })

  t.test('refresh rotates: a new pair in the same session, with the user\'s roles as they are now', async (t) => {
    const { modules, alice } = await withAlice(t)
    const login = await modules.sessions.startSession(alice)
    await modules.users.update(alice.id, { roles: ['admin'] })
    const result = await modules.sessions.refresh(login.refresh_token ?? '')
    if (!result.ok) throw result.error
    t.equal(result.value.userId, alice.id)
    const { response } = result.value
    t.not(response.refresh_token, login.refresh_token)
    const claims = claimsOf(modules, response.access_token)
    t.equal(claims.sid, claimsOf(modules, login.access_token).sid, 'the same session')
    t.same(claims.roles, ['admin'])
    t.ok((await modules.sessions.refresh(response.refresh_token ?? '')).ok, 'the new refresh token works in turn')
  })

  t.test('a spent refresh token presented again ends the session everywhere', async (t) => {
    const { modules, alice } = await withAlice(t)
    const login = await modules.sessions.startSession(alice)
    const sid = claimsOf(modules, login.access_token).sid ?? ''
    const first = await modules.sessions.refresh(login.refresh_token ?? '')
    t.ok(first.ok)
    t.same(refusal(await modules.sessions.refresh(login.refresh_token ?? '')), { code: 'ERR_REFRESH_TOKEN_INVALID', reason: 'reused', subject: alice.id })
    t.ok(modules.revocations.isSessionRevoked(sid), 'its access tokens are refused in memory')
    t.ok(modules.revocations.isRevoked(claimsOf(modules, login.access_token)))
    t.match(await familyRow(modules, sid), { revoked_reason: 'reuse' })
    if (first.ok) {
      t.match(refusal(await modules.sessions.refresh(first.value.response.refresh_token ?? '')), { reason: 'revoked' }, 'the thief\'s or the owner\'s new token ends too')
    }
  })

  t.test('an unknown and an expired refresh token are refused, saying which', async (t) => {
    const { modules, alice } = await withAlice(t, { refreshTtlSeconds: 0 })
    t.same(refusal(await modules.sessions.refresh('never-issued')), { code: 'ERR_REFRESH_TOKEN_INVALID', reason: 'unknown', subject: undefined })
    const login = await modules.sessions.startSession(alice)
    t.match(refusal(await modules.sessions.refresh(login.refresh_token ?? '')), { reason: 'expired' })
  })

  for (const change of ['disabled', 'deleted'] as const) {
    t.test(`a ${change} user's refresh is refused and ends the session`, async (t) => {
      const { modules, alice } = await withAlice(t)
      const login = await modules.sessions.startSession(alice)
      const sid = claimsOf(modules, login.access_token).sid ?? ''
      if (change === 'disabled') await modules.users.update(alice.id, { disabled: true })
      else await modules.users.remove(alice.id)
      t.same(refusal(await modules.sessions.refresh(login.refresh_token ?? '')), { code: 'ERR_REFRESH_TOKEN_INVALID', reason: 'user-unavailable', subject: alice.id })
      t.ok(modules.revocations.isSessionRevoked(sid))
      t.match(await familyRow(modules, sid), { revoked_reason: 'user-changed' })
      if (change === 'disabled') {
        await modules.users.update(alice.id, { disabled: false })
        t.match(refusal(await modules.sessions.refresh(login.refresh_token ?? '')), { reason: 'revoked' }, 'enabling the user again does not bring the session back')
      }
    })
  }

  t.test('a session ended in memory only (the database was down) is refused at refresh, and recorded then', async (t) => {
    const { modules, alice } = await withAlice(t)
    const login = await modules.sessions.startSession(alice)
    const sid = claimsOf(modules, login.access_token).sid ?? ''
    modules.revocations.apply({ kind: 'session', id: sid, until: Math.floor(Date.now() / 1000) + 900 })
    t.match(await familyRow(modules, sid), { revoked_at: null })
    t.same(refusal(await modules.sessions.refresh(login.refresh_token ?? '')), { code: 'ERR_REFRESH_TOKEN_INVALID', reason: 'revoked', subject: alice.id })
    t.match(await familyRow(modules, sid), { revoked_reason: 'logout' })
    t.same(await modules.refreshTokens.liveSessions({ userId: alice.id }), [])
  })

  t.test('logout ends the access token presented and its session', async (t) => {
    const { modules, alice } = await withAlice(t)
    const login = await modules.sessions.startSession(alice)
    const other = await modules.sessions.startSession(alice)
    const claims = claimsOf(modules, login.access_token)
    await modules.sessions.logout(claims)
    t.ok(modules.revocations.isRevoked(claims))
    t.match(await familyRow(modules, claims.sid ?? ''), { revoked_reason: 'logout' })
    t.match(refusal(await modules.sessions.refresh(login.refresh_token ?? '')), { reason: 'revoked' })
    t.notOk(modules.revocations.isRevoked(claimsOf(modules, other.access_token)), 'another login goes on')
    t.ok((await modules.sessions.refresh(other.refresh_token ?? '')).ok)

    // A token without a session (a client's, or one the CLI issued) ends alone.
    const issued = modules.tokens.issue({ id: alice.id, roles: [] })
    t.equal(decodeJwt(issued.token).payload.sid, undefined)
    await modules.sessions.logout(issued.claims)
    t.ok(modules.revocations.isRevoked(issued.claims))
    t.equal((await modules.db.selectFrom('revoked_tokens').select('jti').where('jti', '=', issued.claims.jti).execute()).length, 1, 'recorded in the store')
  })
}

for (const store of stores) {
  t.test(`on ${store.name}`, async (t) => { sessionCases(t, store) })
}
