import type { Test } from 'tap'
import type { Db } from '../../../src/db/database.js'
import { createUsersRepository } from '../../../src/users/users-repository.js'

/** Opens an empty, migrated store for one test, closed and removed when that test ends. */
export type DbFactory = (t: Test) => Promise<Db>

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'

/**
 * The users repository's behaviour, written once so every store (SQLite here, PostgreSQL in the
 * store harness) is held to the same cases.
 */
export function usersRepositoryCases (t: Test, openDb: DbFactory): void {
  async function repository (t: Test) {
    return createUsersRepository(await openDb(t))
  }

  t.test('a created user is found by id and by username, in any case', async (t) => {
    const users = await repository(t)
    const created = await users.create({ username: 'Alice', passwordHash: HASH, roles: ['reader', 'writer'] })
    t.match(created, { username: 'Alice', roles: ['reader', 'writer'], disabled: false })
    t.match(created.id, /^[0-9a-f-]{36}$/)
    t.notOk('passwordHash' in created, 'create does not hand the hash back')

    t.same(await users.findById(created.id), created)
    for (const name of ['Alice', 'alice', 'ALICE']) {
      const found = await users.findByUsername(name)
      t.same(found, { ...created, passwordHash: HASH }, `found as ${name}`)
    }
    t.equal(await users.findByUsername('bob'), undefined)
  })

  t.test('a username taken in another case cannot be created again', async (t) => {
    const users = await repository(t)
    await users.create({ username: 'Alice', passwordHash: HASH })
    await t.rejects(users.create({ username: 'alice', passwordHash: HASH }), { code: 'ERR_USERNAME_TAKEN' })
    await t.rejects(users.create({ username: 'ALICE', passwordHash: HASH }), { code: 'ERR_USERNAME_TAKEN' })
    t.equal(await users.count(), 1)
  })

  t.test('two concurrent creates of one name leave one account and one ERR_USERNAME_TAKEN', async (t) => {
    const users = await repository(t)
    const results = await Promise.allSettled([
      users.create({ username: 'carol', passwordHash: HASH }),
      users.create({ username: 'Carol', passwordHash: HASH })
    ])
    t.equal(results.filter((result) => result.status === 'fulfilled').length, 1)
    const rejected = results.find((result) => result.status === 'rejected')
    t.match(rejected?.reason, { code: 'ERR_USERNAME_TAKEN' })
    t.equal(await users.count(), 1)
  })

  t.test('a username longer than 64 characters, also once normalized, is refused on every store', async (t) => {
    const users = await repository(t)
    t.ok(await users.create({ username: 'a'.repeat(64), passwordHash: HASH }), '64 characters fit')
    t.ok(await users.create({ username: '😀'.repeat(64), passwordHash: HASH }), '64 characters outside the BMP fit')
    await t.rejects(users.create({ username: 'b'.repeat(65), passwordHash: HASH }), { code: 'ERR_VALIDATION', message: /^usernames are limited to 64/ })
    // U+FDFA is one character that NFKC turns into 18.
    await t.rejects(users.create({ username: '\uFDFA'.repeat(4), passwordHash: HASH }), { code: 'ERR_VALIDATION', message: /^usernames are limited to 64/ })
    t.equal(await users.count(), 2)
  })

  t.test('duplicate roles are stored once; no roles is an empty list', async (t) => {
    const users = await repository(t)
    const dup = await users.create({ username: 'dup', passwordHash: HASH, roles: ['a', 'b', 'a'] })
    t.same(dup.roles, ['a', 'b'])
    const none = await users.create({ username: 'none', passwordHash: HASH })
    t.same((await users.findById(none.id))?.roles, [])
  })

  t.test('list and count cover every user, and list never includes a hash', async (t) => {
    const users = await repository(t)
    t.same(await users.list(), [])
    t.equal(await users.count(), 0)
    const alice = await users.create({ username: 'alice', passwordHash: HASH, roles: ['admin'] })
    const bob = await users.create({ username: 'bob', passwordHash: HASH })
    const listed = await users.list()
    t.same(listed.map((user) => user.id).sort(), [alice.id, bob.id].sort())
    for (const user of listed) {
      t.same(Object.keys(user).sort(), ['createdAt', 'disabled', 'id', 'roles', 'username'])
      t.notOk(JSON.stringify(user).includes(HASH))
    }
    t.equal(await users.count(), 2)
  })

  t.test('update changes roles, disabled and the hash, and returns the user', async (t) => {
    const users = await repository(t)
    const alice = await users.create({ username: 'alice', passwordHash: HASH, roles: ['reader'] })

    t.same(await users.update(alice.id, { roles: ['admin', 'admin', 'reader'] }), { ...alice, roles: ['admin', 'reader'] })
    t.same(await users.update(alice.id, { disabled: true }), { ...alice, roles: ['admin', 'reader'], disabled: true })
    t.equal((await users.findByUsername('alice'))?.disabled, true)
    t.same(await users.update(alice.id, { disabled: false, roles: [] }), { ...alice, roles: [], disabled: false })

    await users.update(alice.id, { passwordHash: 'new-hash' })
    t.equal((await users.findByUsername('alice'))?.passwordHash, 'new-hash')
    t.same(await users.update(alice.id, {}), { ...alice, roles: [] }, 'no change is not an error')
  })

  t.test('an unknown id is found nowhere and updates nothing', async (t) => {
    const users = await repository(t)
    await users.create({ username: 'alice', passwordHash: HASH })
    const unknown = '00000000-0000-4000-8000-000000000000'
    t.equal(await users.findById(unknown), undefined)
    t.equal(await users.update(unknown, { disabled: true }), undefined)
    t.equal(await users.update(unknown, {}), undefined)
    t.equal(await users.findById('not-a-uuid'), undefined)
  })
}
