import { Writable } from 'node:stream'
import t from 'tap'
import { buildApp } from '../../app.js'
import { holdsBy } from '../multi-instance/deadline.js'
import { PROPAGATION_DEADLINE_MS } from '../multi-instance/probes.js'
import { bearer, build, createUser, login, testEnv } from '../helper.js'
import { postgres, schemaListeners, sqlite, stores } from '../support/stores.js'

for (const store of stores) {
  t.test(`two apps on one ${store.name} store, without Redis: a logout on one holds on the other by the deadline`, async (t) => {
    const { env, options } = await store.setup(t)
    const a = await build(t, env, options)
    const b = await build(t, env, options)
    const alice = await createUser(b, 'alice')
    const token = await login(b, alice)
    t.equal((await a.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 200)
    const before = a.revocations.list.applied['database-change'].token

    t.equal((await b.inject({ method: 'POST', url: '/auth/logout', headers: bearer(token) })).statusCode, 204)
    const result = await holdsBy(async () => (await a.inject({ url: '/users/me', headers: bearer(token) })).statusCode, (status) => status === 401,
      { deadlineMs: PROPAGATION_DEADLINE_MS })
    t.ok(result.met, `refused on the other app by the ${PROPAGATION_DEADLINE_MS} ms mark`, { atMs: Math.round(result.sentAtMs) })
    t.equal(a.revocations.list.applied['database-change'].token, before + 1, 'counted as read at once on a change, not by the poll')
  })
}

t.test('closing an app on PostgreSQL closes its listening connection', async (t) => {
  const { env, options } = await postgres.setup(t)
  const app = await buildApp({ env: testEnv(env), logger: false, ...options })
  await app.ready()
  t.equal((await schemaListeners(app.db)).length, 1, 'one listening connection while it runs')
  const probe = await build(t, env, { ...options, watchStoreChanges: false })
  await app.close()
  t.same(await schemaListeners(probe.db), [], 'none once it closed')
})

t.test('closing an app on SQLite stops asking the file: nothing is read, or fails, afterwards', async (t) => {
  const { env } = await sqlite.setup(t)
  let logged = ''
  const stream = new Writable({ write (chunk, _encoding, done) { logged += String(chunk); done() } })
  const app = await buildApp({ env: testEnv({ ...env, LOG_LEVEL: 'warn' }), logger: { stream } })
  await app.ready()
  await app.close()
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(logged, '', 'no warning: no check ran on the closed store')
})
