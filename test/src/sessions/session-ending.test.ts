import t, { type Test } from 'tap'
import type { Revocation } from '@tollgate/auth/revocations/revocation-list'
import type { AccessClaims } from '@tollgate/auth/tokens/claims'
import { openModules, type Modules } from '../../support/modules.js'
import { stores, type Store } from '../../support/stores.js'

/** Breaks the store under the modules: every write to these tables fails from now on. */
async function dropTables (modules: Modules, tables: Array<'refresh_tokens' | 'refresh_families' | 'revoked_tokens' | 'user_cutoffs'>): Promise<void> {
  for (const table of tables) await modules.db.schema.dropTable(table).execute()
}

function endingCases (t: Test, store: Store): void {
  /** The modules, with a publisher that notes whether memory already refused each revocation it was handed. */
  async function open (t: Test) {
    const heard: Array<{ revocation: Revocation, refusedInMemory: boolean }> = []
    const modules: Modules = await openModules(t, store, {
      publish: async (revocation) => { heard.push({ revocation, refusedInMemory: refusedInMemory(revocation) }) }
    })
    function refusedInMemory ({ kind, id, until }: Revocation): boolean {
      if (kind === 'session') return modules.revocations.isSessionRevoked(id)
      if (kind === 'cutoff') return modules.revocations.notBefore(id) >= until
      return modules.revocations.snapshot().some((known) => known.kind === 'token' && known.id === id)
    }
    const login = await modules.sessions.startSession({ id: 'alice', roles: [] })
    const claims = modules.tokens.verify(login.access_token) as AccessClaims
    return { modules, heard, login, claims, sid: claims.sid ?? '' }
  }

  t.test('ending a session refuses it in memory, then announces it, then records it', async (t) => {
    const { modules, heard, claims, sid } = await open(t)
    await modules.ending.endSessions([sid], 'logout', claims)
    t.same(heard.map(({ revocation: { kind, id } }) => ({ kind, id })), [{ kind: 'session', id: sid }, { kind: 'token', id: claims.jti }])
    t.ok(heard.every(({ refusedInMemory }) => refusedInMemory), 'memory refused each before it was announced')
    t.ok(modules.revocations.isRevoked(claims))
    t.match(await modules.db.selectFrom('refresh_families').select('revoked_reason').where('id', '=', sid).executeTakeFirst(), { revoked_reason: 'logout' })
    t.equal((await modules.db.selectFrom('revoked_tokens').select('jti').execute()).length, 1)
  })

  t.test('with the session table failing, the session is already refused in memory', async (t) => {
    const { modules, heard, claims, sid } = await open(t)
    await dropTables(modules, ['refresh_tokens', 'refresh_families'])
    await t.rejects(modules.ending.endSessions([sid], 'logout'))
    t.ok(modules.revocations.isSessionRevoked(sid))
    t.ok(modules.revocations.isRevoked(claims), 'its access token is refused')
    t.same(heard.map(({ revocation }) => revocation.id), [sid], 'and other instances were told')
  })

  t.test('with the revoked-token table failing, the token presented at logout is already refused', async (t) => {
    const { modules, claims, sid } = await open(t)
    await dropTables(modules, ['revoked_tokens'])
    await t.rejects(modules.ending.endSessions([sid], 'logout', claims))
    t.ok(modules.revocations.isRevoked({ ...claims, sid: undefined }), 'the token by its jti')
    t.ok(modules.revocations.isSessionRevoked(sid))
  })

  t.test('ending every session cuts off the user\'s tokens in memory first, then revokes the families', async (t) => {
    const { modules, heard, claims, sid } = await open(t)
    const second = await modules.sessions.startSession({ id: 'alice', roles: [] })
    const bob = await modules.sessions.startSession({ id: 'bob', roles: [] })
    await modules.ending.endAllSessions('alice')
    t.ok(modules.revocations.isRevoked(claims), 'tokens issued before are refused')
    t.ok(modules.revocations.isRevoked(modules.tokens.verify(second.access_token) as AccessClaims))
    t.notOk(modules.revocations.isRevoked(modules.tokens.verify(bob.access_token) as AccessClaims), 'other users are not affected')
    t.same(heard.map(({ revocation: { kind, id }, refusedInMemory }) => ({ kind, id, refusedInMemory })), [{ kind: 'cutoff', id: 'alice', refusedInMemory: true }])
    t.same(await modules.refreshTokens.liveSessions({ userId: 'alice' }), [])
    t.match(await modules.db.selectFrom('refresh_families').select('revoked_reason').where('id', '=', sid).executeTakeFirst(), { revoked_reason: 'logout-all' })
    t.equal((await modules.refreshTokens.liveSessions({ userId: 'bob' })).length, 1)
    const later = await modules.sessions.startSession({ id: 'alice', roles: [] })
    t.notOk(modules.revocations.isRevoked(modules.tokens.verify(later.access_token) as AccessClaims), 'a later login is not affected')
  })

  t.test('with the cut-off table failing, the user\'s tokens are already refused', async (t) => {
    const { modules, claims } = await open(t)
    await dropTables(modules, ['user_cutoffs'])
    await t.rejects(modules.ending.endAllSessions('alice', 'user-deleted'))
    t.ok(modules.revocations.isRevoked(claims))
    t.ok(modules.revocations.notBefore('alice') > claims.iat)
  })
}

for (const store of stores) {
  t.test(`on ${store.name}`, async (t) => { endingCases(t, store) })
}
