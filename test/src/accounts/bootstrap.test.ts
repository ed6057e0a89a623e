import t, { type Test } from 'tap'
import { createPasswordHasher } from '../../../src/passwords/password-hasher.js'
import { createDatabase, migrateToLatest } from '../../../src/db/database.js'
import { bootstrapAdmin } from '../../../src/accounts/bootstrap.js'
import { createUsersRepository } from '../../../src/users/users-repository.js'

async function store (t: Test) {
  const db = createDatabase({ url: 'sqlite::memory:' })
  await migrateToLatest(db)
  t.teardown(() => db.destroy())
  return { users: createUsersRepository(db), passwords: await createPasswordHasher() }
}

t.test('an empty store gets an admin named admin with a generated password that verifies', async (t) => {
  const { users, passwords } = await store(t)
  const created = await bootstrapAdmin(users, passwords, {})
  if (created?.generatedPassword === undefined) throw new Error('expected a generated password')
  t.equal(created.username, 'admin')
  t.ok(created.generatedPassword.length >= 16, 'at least 96 random bits')
  const admin = await users.findByUsername('admin')
  t.same(admin?.roles, ['admin'])
  t.same(await passwords.verify(admin?.passwordHash, created.generatedPassword), { ok: true, value: {} })
  t.not(admin?.passwordHash, created.generatedPassword, 'only the hash is stored')
})

t.test('a configured name and password are used, and no password is handed back', async (t) => {
  const { users, passwords } = await store(t)
  const created = await bootstrapAdmin(users, passwords, { username: 'Root', password: 'configured password' })
  t.same(created, { username: 'Root' })
  const root = await users.findByUsername('root')
  t.same(await passwords.verify(root?.passwordHash, 'configured password'), { ok: true, value: {} })
})

t.test('a store with any user is left alone', async (t) => {
  const { users, passwords } = await store(t)
  await users.create({ username: 'alice', passwordHash: await passwords.hash('x'), roles: [] })
  t.equal(await bootstrapAdmin(users, passwords, {}), undefined)
  t.equal(await users.count(), 1)
})

t.test('two processes starting on one empty store make one admin, and neither fails', async (t) => {
  const { users, passwords } = await store(t)
  const results = await Promise.all([bootstrapAdmin(users, passwords, {}), bootstrapAdmin(users, passwords, {})])
  t.equal(results.filter((result) => result !== undefined).length, 1, 'one of them reports the admin it made')
  t.equal(await users.count(), 1)
})

t.test('a configured password or name the policies refuse creates nobody, naming the variable and never the value', async (t) => {
  const { users, passwords } = await store(t)
  const cases: Array<[{ username?: string, password?: string }, RegExp]> = [
    [{ password: 'qwerty123' }, /^TOLLGATE_ADMIN_PASSWORD is refused: the password is one of the most common/],
    [{ password: 'x'.repeat(129) }, /^TOLLGATE_ADMIN_PASSWORD is refused: the password must be at most 128 characters long$/],
    [{ username: 'operator', password: 'OPERATOR' }, /^TOLLGATE_ADMIN_PASSWORD is refused: the password must not be the username$/],
    [{ username: ' root', password: 'configured password' }, /^TOLLGATE_ADMIN_USERNAME is refused: .*start or end with a space$/]
  ]
  for (const [configured, message] of cases) {
    await t.rejects(bootstrapAdmin(users, passwords, configured), { name: 'ConfigError', code: 'ERR_CONFIG', message })
  }
  t.equal(await users.count(), 0)
})
