import t from 'tap'
import { createDatabaseJtiRegistry } from '../../../src/clients/assertion-replay.js'
import { createDatabase, migrateToLatest } from '../../../src/db/database.js'
import { stores } from '../../support/stores.js'

for (const store of stores) {
  t.test(`${store.name}: a jti is accepted once per client, and still refused by a store opened again (a restart)`, async (t) => {
    const { env, options } = await store.setup(t)
    const open = async () => {
      const db = createDatabase({ url: env.DATABASE_URL ?? '', ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }) })
      t.teardown(() => db.destroy())
      await migrateToLatest(db, options.databaseSchema)
      return db
    }
    const exp = Math.floor(Date.now() / 1000) + 120
    const first = createDatabaseJtiRegistry(await open())
    t.equal(await first.firstUse('billing', 'jti-1', exp), true, 'new')
    t.equal(await first.firstUse('billing', 'jti-1', exp), false, 'replayed')
    t.equal(await first.firstUse('reports', 'jti-1', exp), true, 'the same jti from another client')
    const db = await open()
    const restarted = createDatabaseJtiRegistry(db)
    t.equal(await restarted.firstUse('billing', 'jti-1', exp), false, 'replayed after a restart')
    t.same(await db.selectFrom('client_assertion_jtis').select(['client_id', 'jti', 'expires_at']).orderBy('client_id').execute(), [
      { client_id: 'billing', jti: 'jti-1', expires_at: exp + 60 },
      { client_id: 'reports', jti: 'jti-1', expires_at: exp + 60 }
    ], 'kept until the assertion expires, with the clock leeway')
  })
}

for (const store of stores) {
  t.test(`${store.name}: assertions presented together are recorded together, and each jti is accepted once`, async (t) => {
    const { env, options } = await store.setup(t)
    const db = createDatabase({ url: env.DATABASE_URL ?? '', ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }) })
    t.teardown(() => db.destroy())
    await migrateToLatest(db, options.databaseSchema)
    const registry = createDatabaseJtiRegistry(db)
    const exp = Math.floor(Date.now() / 1000) + 120
    t.equal(await registry.firstUse('billing', 'spent', exp), true)
    // 1,200 uses in one turn of the event loop: more than one statement's worth, a replay of a jti spent
    // before, and one jti sent twice among them.
    const jtis = [...Array.from({ length: 1198 }, (_, i) => `jti-${i}`), 'spent', 'jti-7']
    const results = await Promise.all(jtis.map((jti) => registry.firstUse('billing', jti, exp)))
    t.equal(results.filter((fresh) => fresh).length, 1198, 'every new jti accepted')
    t.same([results[1198], results[1199]], [false, false], 'the jti spent before and the one sent twice refused')
    t.equal(results[7], true, 'the first of the two sends accepted')
    const { count } = await db.selectFrom('client_assertion_jtis').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
    t.equal(Number(count), 1199, 'each recorded once')
    t.equal(await registry.firstUse('billing', 'jti-1000', exp), false, 'and refused when presented again later')
  })
}
