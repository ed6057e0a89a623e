import { Migrator, NO_MIGRATIONS, type Kysely } from 'kysely'
import t from 'tap'
import { createDatabase, migrateToLatest } from '../../../src/db/database.js'
import { migrations } from '../../../src/db/migrations/index.js'
import { createUsersRepository } from '../../../src/users/users-repository.js'
import { stores } from '../../support/stores.js'

const BOOKKEEPING = ['kysely_migration', 'kysely_migration_lock']

for (const store of stores) {
  t.test(`every migration can be undone and done again on ${store.name}`, async (t) => {
    const { env, options } = await store.setup(t)
    const schema = options.databaseSchema
    const db = createDatabase({ url: env.DATABASE_URL ?? '', ...(schema === undefined ? {} : { schema }) })
    t.after(() => db.destroy())
    const tables = async () => (await db.introspection.getTables())
      .filter((table) => schema === undefined || table.schema === schema)
      .map((table) => table.name)
      .filter((name) => !BOOKKEEPING.includes(name))
      .sort()

    await migrateToLatest(db, schema)
    const latest = await tables()
    t.ok(latest.includes('users'), `tables: ${latest.join(', ')}`)

    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      ...(schema === undefined ? {} : { migrationTableSchema: schema })
    })
    const down = await migrator.migrateTo(NO_MIGRATIONS)
    t.equal(down.error, undefined, 'every down migration runs')
    t.same(down.results?.map((result) => result.direction), Object.keys(migrations).map(() => 'Down'))
    t.same(await tables(), [], 'and leaves no table behind')

    await migrateToLatest(db, schema)
    t.same(await tables(), latest, 'migrating up again gives the same tables')
  })
}

for (const store of stores) {
  t.test(`look-alike usernames from before their skeletons were stored do not stop the migration on ${store.name}`, async (t) => {
    const { env, options } = await store.setup(t)
    const schema = options.databaseSchema
    const db = createDatabase({ url: env.DATABASE_URL ?? '', ...(schema === undefined ? {} : { schema }) })
    t.after(() => db.destroy())
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      ...(schema === undefined ? {} : { migrationTableSchema: schema })
    })
    t.equal((await migrator.migrateTo('0008-session-details')).error, undefined)
    const row = (id: string, username: string, createdAt: number) =>
      ({ id, username, username_key: username.toLowerCase(), password_hash: 'x', roles: '', created_at: createdAt })
    const legacy = db as unknown as Kysely<{ users: ReturnType<typeof row> }>
    await legacy.insertInto('users').values([row('2', '\u0430dmin', 2), row('1', 'admin', 1), row('3', 'bob', 3)]).execute()

    await migrateToLatest(db, schema)
    const skeletons = await db.selectFrom('users').select(['id', 'username_skeleton']).orderBy('id').execute()
    t.same(skeletons, [{ id: '1', username_skeleton: 'adrnin' }, { id: '2', username_skeleton: null }, { id: '3', username_skeleton: 'bob' }],
      'the oldest of the look-alikes holds the skeleton')
    await t.rejects(createUsersRepository(db).create({ username: 'ADM\u0399N', passwordHash: 'x' }), { code: 'ERR_USERNAME_TAKEN' })
  })
}
