import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { createDatabase, migrateToLatest, postgresConnection, type Db } from '../../../src/db/database.js'
import { listenForPostgresChanges } from '../../../src/db/postgres-changes.js'
import { createStoreChanges } from '../../../src/db/store-changes.js'
import { eventually, proxyFor } from '../../faults/instances.js'
import { holdsBy } from '../../multi-instance/deadline.js'
import { postgres, POSTGRES_URL, schemaListeners, stores, type Store } from '../../support/stores.js'

/** What a subscriber must hear within, after the commit. */
const DEADLINE_MS = 100

async function open (t: Test, store: Store) {
  const { env, options } = await store.setup(t)
  const url = env.DATABASE_URL ?? ''
  const schema = options.databaseSchema
  const connect = async (): Promise<Db> => {
    const db = createDatabase({ url, ...(schema === undefined ? {} : { schema }) })
    t.teardown(() => db.destroy())
    await migrateToLatest(db, schema)
    return db
  }
  const watcher = await connect()
  const errors: unknown[] = []
  let reconnects = 0
  const changes = createStoreChanges(watcher, { url, schema, onError: (error) => errors.push(error), onReconnect: () => { reconnects++ } })
  const heard = { clients: 0, revocations: 0 }
  changes.subscribe(['clients'], () => { heard.clients++ })
  changes.subscribe(['revoked_tokens', 'user_cutoffs', 'refresh_families'], () => { heard.revocations++ })
  const stop = await changes.watch()
  t.teardown(stop)
  return { watcher, writer: await connect(), heard, errors, stop, reconnects: () => reconnects }
}

const revokeToken = (db: Db, jti: string) =>
  db.insertInto('revoked_tokens').values({ jti, expires_at: Math.floor(Date.now() / 1000) + 60, revoked_at: Date.now() }).execute()

/** Asserts that `count()` goes past `before` for a probe by the deadline after `since`. */
async function heardBy (t: Test, count: () => number, before: number, since: number, what: string): Promise<void> {
  const result = await holdsBy(async () => count(), (now) => now > before, { deadlineMs: DEADLINE_MS, startedAt: since, intervalMs: 2 })
  t.ok(result.met, `${what} is heard by the ${DEADLINE_MS} ms mark`, { heardAtMs: Math.round(result.sentAtMs) })
}

for (const store of stores) {
  t.test(`another connection's commits to ${store.name} are heard at once`, async (t) => {
    const { watcher, writer, heard, errors } = await open(t, store)

    let before = heard.revocations
    await revokeToken(writer, 'jti-1')
    await heardBy(t, () => heard.revocations, before, performance.now(), 'a revoked token')

    before = heard.clients
    await writer.insertInto('clients').values({ id: 'billing', secret_hash: 'x', scopes: '', public_key: null, token_ttl: null, created_at: Date.now(), updated_at: Date.now() }).execute()
    await heardBy(t, () => heard.clients, before, performance.now(), 'a new client')

    before = heard.revocations
    await writer.insertInto('user_cutoffs').values({ user_id: 'u1', not_before: 1, updated_at: Date.now() }).execute()
    await heardBy(t, () => heard.revocations, before, performance.now(), 'a user\'s cut-off')

    if (store.name === 'sqlite') {
      // SQLite's counter moves for other connections only: this one's own writes are applied where they are made.
      const own = { ...heard }
      await revokeToken(watcher, 'jti-own')
      await new Promise((resolve) => setTimeout(resolve, 100))
      t.same(heard, own, 'the watching connection\'s own commit is not news to it')
    } else {
      // A login writes refresh rows, which no instance holds in memory: no instance reads anything again.
      const quiet = { ...heard }
      await writer.insertInto('refresh_families').values({ id: 'f1', user_id: 'u1', created_at: Date.now() }).execute()
      await new Promise((resolve) => setTimeout(resolve, 100))
      t.same(heard, quiet, 'a session started is not announced')
      await writer.updateTable('refresh_families').set({ revoked_at: Date.now(), revoked_reason: 'logout' }).where('id', '=', 'f1').execute()
      await heardBy(t, () => heard.revocations, quiet.revocations, performance.now(), 'a session ended')
      t.equal(heard.clients, quiet.clients, 'only by who keeps revocations')
    }
    t.same(errors, [], 'no error')
  })
}

t.test('a lost PostgreSQL listener connection reconnects, reads everything once, and hears again', async (t) => {
  const { writer, heard, errors, reconnects } = await open(t, postgres)
  const before = { ...heard }
  const cut = performance.now()
  // Ends the listener's backend as a restart or a network cut would; only this schema's channel.
  for (const pid of await schemaListeners(writer)) await sql`select pg_terminate_backend(${pid})`.execute(writer)
  const both = (): number => Math.min(heard.clients - before.clients, heard.revocations - before.revocations)
  const caughtUp = await holdsBy(async () => both(), (n) => n > 0, { deadlineMs: 2000, startedAt: cut, intervalMs: 10 })
  t.ok(caughtUp.met, 'after reconnecting, every subscriber reads the store again (what was missed)', { atMs: Math.round(caughtUp.sentAtMs) })
  t.equal(reconnects(), 1, 'the reconnection is reported')
  t.equal(errors.length, 1, 'the loss is reported once')

  const count = heard.revocations
  await revokeToken(writer, 'jti-after')
  await heardBy(t, () => heard.revocations, count, performance.now(), 'a commit after the reconnection')
})

t.test('once stopped, nothing is heard and nothing is left open', async (t) => {
  const { writer, heard, stop } = await open(t, postgres)
  await stop()
  const before = { ...heard }
  await revokeToken(writer, 'jti-late')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(heard, before)
  t.same(await schemaListeners(writer), [], 'the listener connection is closed')
})

t.test('a PostgreSQL listener whose network stalls finds out, and hears again once it flows', async (t) => {
  const { options } = await postgres.setup(t)
  const schema = options.databaseSchema ?? ''
  const writer = createDatabase({ url: POSTGRES_URL, schema })
  t.teardown(() => writer.destroy())
  await migrateToLatest(writer, schema)
  const database = await proxyFor(t, POSTGRES_URL)
  const heard: unknown[] = []
  const errors: unknown[] = []
  let reconnects = 0
  const stop = await listenForPostgresChanges({
    connection: postgresConnection({ url: database.url, schema }),
    onChange: (table) => heard.push(table),
    onError: (error) => errors.push(error),
    onReconnect: () => { reconnects++ },
    heartbeatMs: 100
  })
  t.teardown(stop)
  heard.length = 0

  database.proxy.freeze()
  await revokeToken(writer, 'jti-while-frozen')
  t.ok(await eventually(async () => errors.length > 0, 6000), 'a heartbeat that gets no answer reports the loss')
  database.proxy.restore()
  t.ok(await eventually(async () => reconnects === 1, 8000), 'it reconnects once the network flows')
  t.ok(heard.includes(undefined), 'and reports a change of unknown table, so subscribers read what they missed')

  const count = heard.length
  await revokeToken(writer, 'jti-after-stall')
  await heardBy(t, () => heard.length, count, performance.now(), 'a commit after the stall')
})
