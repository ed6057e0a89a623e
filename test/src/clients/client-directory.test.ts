import t from 'tap'
import { createDatabaseJtiRegistry } from '../../../src/clients/assertion-replay.js'
import { createClientDirectory } from '../../../src/clients/client-directory.js'
import { createClientsRepository } from '../../../src/clients/clients-repository.js'
import { createDatabase, migrateToLatest } from '../../../src/db/database.js'
import { openDatabase, stores } from '../../support/stores.js'

async function store (t: { after (fn: () => unknown): void }) {
  const db = createDatabase({ url: 'sqlite::memory:' })
  t.after(() => db.destroy())
  await migrateToLatest(db)
  return db
}

t.test('a client whose stored key no longer reads is reported and cannot use an assertion, and nothing else breaks', async (t) => {
  const db = await store(t)
  const repository = createClientsRepository(db)
  await repository.create({ id: 'billing', publicKey: 'not a key any more', scopes: [] })
  await repository.create({ id: 'audit', secretHash: 'sha256:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0', scopes: [] })
  const errors: string[] = []
  const directory = createClientDirectory(repository, { assertionAudiences: ['tollgate'], onError: (_error, context) => { errors.push(context) } })
  await directory.load()
  t.match(errors, [/client billing cannot be used/])
  t.equal(directory.get('billing')?.checkAssertion, undefined)
  t.equal(directory.get('audit')?.secret?.kind, 'sha256')
})

t.test('sync reads what changed and forgets what was removed', async (t) => {
  const db = await store(t)
  const repository = createClientsRepository(db)
  const directory = createClientDirectory(repository, { assertionAudiences: ['tollgate'], onError: (error) => { throw error } })
  await repository.create({ id: 'billing', scopes: [] })
  await directory.sync()
  t.same(directory.get('billing')?.scopes, [])
  await repository.update('billing', { scopes: ['a'] })
  await repository.create({ id: 'audit', scopes: [] })
  await directory.sync()
  t.same(directory.get('billing')?.scopes, ['a'])
  t.ok(directory.get('audit'))
  await db.deleteFrom('clients').where('id', '=', 'audit').execute()
  await directory.sync()
  t.equal(directory.get('audit'), undefined)
  await db.deleteFrom('clients').where('id', '=', 'billing').execute()
  await directory.refresh('billing')
  t.equal(directory.get('billing'), undefined, 'refresh forgets a client that is gone')
})

for (const kind of stores) {
  t.test(`the database registry on ${kind.name} accepts a jti once per client, and forgets it after its assertion expired`, async (t) => {
    const db = await openDatabase(t, kind)
    const jtis = createDatabaseJtiRegistry(db)
    const now = Math.floor(Date.now() / 1000)
    t.equal(await jtis.firstUse('billing', 'j1', now + 60), true)
    t.equal(await jtis.firstUse('billing', 'j1', now + 60), false)
    t.equal(await jtis.firstUse('billing', 'j1', now + 90), false, 'nor with another exp')
    t.equal(await jtis.firstUse('audit', 'j1', now + 60), true, 'another client may use the same jti')
    // More than one batch of the purge, all but one already past.
    await db.insertInto('client_assertion_jtis').values(Array.from({ length: 2500 }, (_, i) => ({ client_id: 'bulk', jti: `b${i}`, expires_at: now - 1 }))).execute()
    await jtis.purgeExpired(now + 60 + 60)
    t.equal(await jtis.firstUse('billing', 'j1', now + 60), false, 'kept for the clock leeway after its exp')
    t.equal((await db.selectFrom('client_assertion_jtis').select('jti').where('client_id', '=', 'bulk').execute()).length, 0, 'every batch purged')
    await jtis.purgeExpired(now + 60 + 61)
    t.equal(await jtis.firstUse('billing', 'j1', now + 60), true, 'forgotten once it can no longer be accepted anyway')
  })
}
