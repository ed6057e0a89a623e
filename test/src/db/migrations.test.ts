import { Migrator, NO_MIGRATIONS } from 'kysely'
import t from 'tap'
import { createDatabase, migrateToLatest } from '../../../src/db/database.js'
import { migrations } from '../../../src/db/migrations/index.js'
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
