import t from 'tap'
import { createDatabase, migrateToLatest } from '../../../src/db/database.js'
import { createGroupCommit } from '../../../src/db/group-commit.js'
import { stores } from '../../support/stores.js'

for (const store of stores) {
  t.test(`${store.name}: transactions asked for together each commit or fail on their own`, async (t) => {
    const { env, options } = await store.setup(t)
    const db = createDatabase({ url: env.DATABASE_URL ?? '', ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }) })
    t.teardown(() => db.destroy())
    await migrateToLatest(db, options.databaseSchema)
    const inTransaction = createGroupCommit(db)
    const family = (id: string) => ({ id, user_id: 'u', created_at: 1, last_used_at: 1, user_agent: null, address: null })

    const outcomes = await Promise.allSettled([
      inTransaction(async (trx) => { await trx.insertInto('refresh_families').values(family('a')).execute(); return 'a' }),
      // Writes, then fails: only its own write is undone.
      inTransaction(async (trx) => {
        await trx.insertInto('refresh_families').values(family('b')).execute()
        throw new Error('refused after writing')
      }),
      // On SQLite, sees what the one before it in the same commit wrote (on PostgreSQL they run side by side).
      inTransaction(async (trx) => (await trx.selectFrom('refresh_families').select('id').where('id', '=', 'a').executeTakeFirst())?.id),
      // A conflict with an earlier write fails this one alone.
      inTransaction(async (trx) => trx.insertInto('refresh_families').values(family('a')).execute()),
      inTransaction(async (trx) => { await trx.insertInto('refresh_families').values(family('c')).execute(); return 'c' })
    ])
    t.same(outcomes.map((outcome) => outcome.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'])
    t.match(outcomes[1], { reason: { message: 'refused after writing' } }, 'the error of the one that failed')
    if (store.name === 'sqlite') t.match(outcomes[2], { value: 'a' }, 'a later transaction sees an earlier one\'s write')
    const ids = (await db.selectFrom('refresh_families').select('id').orderBy('id').execute()).map((row) => row.id)
    t.same(ids, ['a', 'c'], 'committed: the writes of those that succeeded, none of those that failed')
    t.equal(await inTransaction(async (trx) => (await trx.selectFrom('refresh_families').select('id').execute()).length), 2, 'and the next transaction runs on')
  })
}
