import t from 'tap'
import { bearer, createUser, PASSWORD } from '../helper.js'
import { freshRedisPrefix, freshSchema, POSTGRES_URL, REDIS_URL } from '../support/stores.js'
import { answered, eventually, HUNG_MS, logIn, meStatus, proxyFor, startInstance } from './instances.js'

t.test('Redis that stops answering without closing its connections', async (t) => {
  const schema = await freshSchema(t)
  const prefix = await freshRedisPrefix(t)
  const redis = await proxyFor(t, REDIS_URL)
  const shared = { DATABASE_URL: POSTGRES_URL, REDIS_PREFIX: prefix, LOGIN_RATE_LIMIT: '5' }
  const app = await startInstance(t, { ...shared, REDIS_URL: redis.url }, { databaseSchema: schema, databaseSyncMs: 100 })
  const other = await startInstance(t, { ...shared, REDIS_URL }, { databaseSchema: schema, databaseSyncMs: 100 })
  // Runs before the instances close: nothing of theirs is left waiting on a frozen connection.
  t.teardown(() => redis.proxy.restore())
  await createUser(app.app, 'alice')
  const kept = await logIn(app, 'alice')
  const ended = await logIn(app, 'alice')

  redis.proxy.freeze()

  const login = await answered(app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: PASSWORD } }))
  t.equal(login?.statusCode, 200, `a login answers within ${HUNG_MS / 1000} s, unthrottled`)
  const logout = await answered(app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(ended.access) }))
  t.equal(logout?.statusCode, 204, 'so does a logout, whose message cannot be published')
  t.equal(await meStatus(app, ended.access), 401, 'which holds on this instance')
  t.ok(await eventually(async () => await meStatus(other, ended.access) === 401, 3000), 'and reaches others through the database')
  t.equal(await meStatus(app, kept.access), 200, 'valid tokens are still accepted')

  const ready = await answered(app.inject({ url: '/ready' }))
  t.equal(ready?.statusCode, 200, '/ready answers')
  t.same(ready?.json(), { status: 'degraded', database: 'ok', redis: 'down' })

  redis.proxy.restore()
  t.ok(await eventually(async () => (await app.inject({ url: '/ready' })).json().redis === 'ok', 8000), 'once it answers again, /ready says so')
  const afterwards = await logIn(app, 'alice')
  t.equal(await meStatus(app, afterwards.access), 200, 'and logins go on')

  t.same([...app.statuses, ...other.statuses].filter((status) => status >= 500), [], 'no request got a 5xx')
})
