import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createDatabase, migrateToLatest } from '../../../src/db/database.js'
import { sql } from 'kysely'
import pg from 'pg'
import { openDatabase, postgres, stores } from '../../support/stores.js'

t.test('a SQLite store is created with its missing folders, and migrating twice changes nothing', async (t) => {
  const file = join(t.testdir({}), 'nested', 'folders', 'tollgate.db')
  const db = createDatabase({ url: `sqlite:${file}` })
  t.teardown(() => db.destroy())
  await migrateToLatest(db)
  await migrateToLatest(db)
  t.ok(existsSync(file))
  const tables = (await db.introspection.getTables()).map((table) => table.name)
  t.ok(tables.includes('users'), `tables: ${tables.join(', ')}`)
})

for (const store of stores) {
  t.test(`epoch-millisecond times come back as numbers on ${store.name}`, async (t) => {
    const db = await openDatabase(t, store)
    const now = Date.now()
    await db.insertInto('users').values({ id: 'u1', username: 'a', username_key: 'a', password_hash: 'h', roles: '', created_at: now }).execute()
    const row = await db.selectFrom('users').select(['created_at']).executeTakeFirstOrThrow()
    t.equal(row.created_at, now)
    t.type(row.created_at, 'number')
  })
}

t.test('a SQLite store that cannot be opened is ERR_STORE_UNAVAILABLE naming DATABASE_URL', async (t) => {
  const dir = t.testdir({ 'a-file': 'not a folder' })
  for (const file of [dir, join(dir, 'a-file', 'tollgate.db')]) {
    t.throws(() => createDatabase({ url: `sqlite:${file}` }), { code: 'ERR_STORE_UNAVAILABLE', message: /^DATABASE_URL: cannot open the SQLite store: / }, file)
  }
})

t.test('a PostgreSQL store that does not answer is ERR_STORE_UNAVAILABLE naming DATABASE_URL, without the URL', async (t) => {
  const db = createDatabase({ url: 'postgres://tollgate:pg-password-91c2@127.0.0.1:1/tollgate' })
  t.teardown(() => db.destroy())
  const error = await migrateToLatest(db).then(() => undefined, (error: unknown) => error)
  t.match(error, { name: 'TollgateError', code: 'ERR_STORE_UNAVAILABLE' })
  t.match(error, { message: /^DATABASE_URL: cannot reach or migrate the store: .*ECONNREFUSED/, cause: { code: 'ECONNREFUSED' } })
  t.notMatch((error as Error).message, 'pg-password-91c2')
})

t.test('a PostgreSQL schema another process drops while the store is migrated does not fail the migration', async (t) => {
  const { env, options } = await postgres.setup(t)
  const schema = options.databaseSchema
  const db = createDatabase({ url: env.DATABASE_URL ?? '', ...(schema === undefined ? {} : { schema }) })
  t.teardown(() => db.destroy())
  // PostgreSQL's own error for that race: the table listing names a schema that is gone when it is looked up.
  const vanished: unknown = await sql`select has_schema_privilege('tollgate_vanished_schema', 'USAGE')`.execute(db).then(() => undefined, (error: unknown) => error)
  t.match(vanished, { code: '3F000' })

  // The first listing of every schema's tables (pg_attribute) meets the race; later ones do not.
  const client = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
  const realQuery = client.query
  let raced = 0
  client.query = function (this: unknown, ...args: unknown[]) {
    if (raced === 0 && typeof args[0] === 'string' && args[0].includes('pg_attribute')) {
      raced++
      return Promise.reject(vanished)
    }
    return realQuery.apply(this, args)
  }
  t.teardown(() => { client.query = realQuery })

  await migrateToLatest(db, schema)
  t.equal(raced, 1, 'the race happened')
  t.same(await db.selectFrom('users').select('id').execute(), [], 'and the store was migrated')
})
