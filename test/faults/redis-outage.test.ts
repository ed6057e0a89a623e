import t from 'tap'
import { bearer, createUser } from '../helper.js'
import { freshRedisPrefix, freshSchema, POSTGRES_URL, REDIS_URL } from '../support/stores.js'
import { eventually, logIn, meStatus, proxyFor, refresh, startInstance, type Instance } from './instances.js'

async function readiness (instance: Instance) {
  const response = await instance.inject({ url: '/ready' })
  return { status: response.statusCode, body: response.json() }
}

t.test('Redis cut away from one instance, then given back', async (t) => {
  const schema = await freshSchema(t)
  const prefix = await freshRedisPrefix(t)
  const redis = await proxyFor(t, REDIS_URL)
  const shared = { DATABASE_URL: POSTGRES_URL, REDIS_PREFIX: prefix, LOGIN_RATE_LIMIT: '5' }

  // `polling` reads the database often; `listening` only at start, so what it learns later comes through Redis.
  const polling = await startInstance(t, { ...shared, REDIS_URL: redis.url }, { databaseSchema: schema, databaseSyncMs: 100, watchStoreChanges: false })
  const listening = await startInstance(t, { ...shared, REDIS_URL: redis.url }, { databaseSchema: schema, databaseSyncMs: 600_000, watchStoreChanges: false })
  // Another instance whose Redis stays up.
  const other = await startInstance(t, { ...shared, REDIS_URL }, { databaseSchema: schema, databaseSyncMs: 100 })
  await createUser(polling.app, 'alice')

  const kept = await logIn(polling, 'alice')
  const endedHere = await logIn(polling, 'alice')
  const endedElsewhere = await logIn(polling, 'alice')
  const endedBefore = await logIn(polling, 'alice')
  t.equal((await other.inject({ method: 'POST', url: '/auth/logout', headers: bearer(endedBefore.access) })).statusCode, 204)
  t.ok(await eventually(async () => await meStatus(listening, endedBefore.access) === 401, 1000), 'before the cut, a logout elsewhere reaches both through Redis')

  redis.proxy.cut()

  t.ok(await eventually(async () => (await readiness(polling)).body.redis === 'down', 3000), '/ready notices Redis is gone')
  t.same(await readiness(polling), { status: 200, body: { status: 'degraded', database: 'ok', redis: 'down' } },
    '/ready answers 200 "degraded": tokens still verify')

  for (const instance of [polling, listening]) {
    t.equal(await meStatus(instance, kept.access), 200, 'a valid token is still accepted')
    t.equal(await meStatus(instance, endedBefore.access), 401, 'a token revoked before the cut is still refused')
  }

  t.equal((await polling.inject({ method: 'POST', url: '/auth/logout', headers: bearer(endedHere.access) })).statusCode, 204,
    'a logout without Redis succeeds')
  t.equal(await meStatus(polling, endedHere.access), 401, 'and holds on this instance at once')
  t.equal((await refresh(polling, endedHere.refresh)).statusCode, 401, 'its refresh token is refused')
  t.ok(await eventually(async () => await meStatus(other, endedHere.access) === 401, 3000),
    'other instances learn of it from the database (this one could not publish it)')

  const logins = []
  for (let i = 0; i < 5; i++) {
    logins.push((await polling.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: 'wrong password' } })).statusCode)
  }
  // With the 4 logins before the cut, throttling would answer 429 from the 2nd of these on.
  t.same(logins, [401, 401, 401, 401, 401], 'failed logins are refused as usual, without throttling (its counts live in Redis)')
  const fresh = await logIn(polling, 'alice')
  t.equal(await meStatus(polling, fresh.access), 200, 'a login still works')
  const rotated = await refresh(polling, kept.refresh)
  t.equal(rotated.statusCode, 200, 'a refresh still works')
  kept.refresh = rotated.json().refresh_token

  t.equal((await other.inject({ method: 'POST', url: '/auth/logout', headers: bearer(endedElsewhere.access) })).statusCode, 204,
    'meanwhile a logout on an instance that has Redis')
  t.ok(await eventually(async () => await meStatus(polling, endedElsewhere.access) === 401, 3000),
    'reaches the cut-off instance through the database poll')

  redis.proxy.restore()

  t.ok(await eventually(async () => await meStatus(listening, endedElsewhere.access) === 401, 8000),
    'once Redis is back, an instance that does not poll loads what it missed')
  t.ok(await eventually(async () => (await readiness(polling)).body.redis === 'ok', 8000), '/ready sees Redis again')
  t.same(await readiness(polling), { status: 200, body: { status: 'ok', database: 'ok', redis: 'ok' } })
  t.equal(await meStatus(listening, kept.access), 200, 'the valid token is still accepted')

  const answered = [...polling.statuses, ...listening.statuses, ...other.statuses]
  t.same(answered.filter((status) => status >= 500), [], 'no request got a 5xx')
})
t.teardown(() => { setTimeout(() => { for (const h of (process as any)._getActiveHandles()) console.error('HANDLE', h.constructor.name, h.remoteAddress, h.remotePort, h.localPort, h._idleTimeout) }, 3000).unref() })

t.test('an instance started while Redis is down serves at once, and joins in when Redis answers', async (t) => {
  const schema = await freshSchema(t)
  const prefix = await freshRedisPrefix(t)
  const redis = await proxyFor(t, REDIS_URL)
  const shared = { DATABASE_URL: POSTGRES_URL, REDIS_PREFIX: prefix }
  redis.proxy.cut()

  // Never reads the database again after starting: what it learns later comes through Redis.
  const late = await startInstance(t, { ...shared, REDIS_URL: redis.url }, { databaseSchema: schema, databaseSyncMs: 600_000, watchStoreChanges: false })
  const other = await startInstance(t, { ...shared, REDIS_URL }, { databaseSchema: schema, databaseSyncMs: 600_000 })
  await createUser(other.app, 'alice')

  t.same(await readiness(late), { status: 200, body: { status: 'degraded', database: 'ok', redis: 'down' } }, 'it is up, degraded')
  const before = await logIn(late, 'alice')
  const after = await logIn(late, 'alice')
  t.equal(await meStatus(late, before.access), 200, 'it logs users in and verifies their tokens')

  t.equal((await other.inject({ method: 'POST', url: '/auth/logout', headers: bearer(before.access) })).statusCode, 204,
    'a logout elsewhere while it cannot hear')
  redis.proxy.restore()
  t.ok(await eventually(async () => await meStatus(late, before.access) === 401, 8000), 'reaches it once Redis answers')

  t.equal((await other.inject({ method: 'POST', url: '/auth/logout', headers: bearer(after.access) })).statusCode, 204)
  t.ok(await eventually(async () => await meStatus(late, after.access) === 401, 1000), 'and later ones arrive through pub/sub')
  t.same([...late.statuses, ...other.statuses].filter((status) => status >= 500), [], 'no request got a 5xx')
})
