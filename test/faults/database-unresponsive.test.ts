import t from 'tap'
import { bearer, createUser, PASSWORD } from '../helper.js'
import { freshRedisPrefix, freshSchema, POSTGRES_URL, REDIS_URL } from '../support/stores.js'
import { answered, eventually, HUNG_MS, logIn, meStatus, proxyFor, startInstance } from './instances.js'

t.test('a database that stops answering without closing its connections', async (t) => {
  const schema = await freshSchema(t)
  const prefix = await freshRedisPrefix(t)
  const database = await proxyFor(t, POSTGRES_URL)
  const app = await startInstance(t, { DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: prefix }, { databaseSchema: schema, databaseSyncMs: 600_000 })
  // Runs before the instance closes: nothing of its is left waiting on a frozen connection.
  t.teardown(() => database.proxy.restore())
  await createUser(app.app, 'alice')
  const kept = await logIn(app, 'alice')
  const ended = await logIn(app, 'alice')
  t.equal((await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(ended.access) })).statusCode, 204)

  database.proxy.freeze()

  const [login, me, ready] = await Promise.all([
    answered(app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: PASSWORD } })),
    answered(app.inject({ url: '/users/me', headers: bearer(kept.access) })),
    answered(app.inject({ url: '/ready' }))
  ])
  t.equal(login?.statusCode, 503, `a login answers 503 within ${HUNG_MS / 1000} s`)
  t.equal(me?.statusCode, 503, 'so does /users/me')
  t.equal(ready?.statusCode, 503, '/ready answers 503')
  t.same(ready?.json(), { status: 'unavailable', database: 'down', redis: 'ok' })
  t.equal(await meStatus(app, ended.access), 401, 'a revoked token is still refused')

  database.proxy.restore()
  t.ok(await eventually(async () => (await app.inject({ url: '/ready' })).statusCode === 200, 8000), '/ready recovers')
  t.equal(await meStatus(app, (await logIn(app, 'alice')).access), 200, 'and logins work again')
})
