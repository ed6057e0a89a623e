import { setTimeout as sleep } from 'node:timers/promises'
import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { bearer, createUser, PASSWORD } from '../helper.js'
import { resign } from '../support/forge.js'
import { freshRedisPrefix, freshSchema, POSTGRES_URL, REDIS_URL } from '../support/stores.js'
import { eventually, logIn, meStatus, proxyFor, refresh, startInstance } from './instances.js'

const GENERIC_503 = {
  statusCode: 503,
  error: 'Service Unavailable',
  message: 'A service Tollgate depends on is unavailable, try again shortly',
  code: 'ERR_STORE_UNAVAILABLE'
}

/** 503, a Retry-After in seconds, and nothing but the generic body: no stack, no driver message. */
function assertUnavailable (t: Test, response: LightMyRequestResponse, what: string): void {
  t.equal(response.statusCode, 503, `${what}: 503`)
  t.match(response.headers['retry-after'], /^\d+$/, `${what}: Retry-After in seconds`)
  t.same(response.json(), GENERIC_503, `${what}: the generic body only`)
}

t.test('the database cut away and given back', async (t) => {
  const schema = await freshSchema(t)
  const prefix = await freshRedisPrefix(t)
  const database = await proxyFor(t, POSTGRES_URL)
  const env = { DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: prefix }
  // No background poll, for the same reason as the pause after the cut below: here every query is a
  // request's, and none is running at the cut.
  const app = await startInstance(t, env, { databaseSchema: schema, databaseSyncMs: 600_000 })
  await createUser(app.app, 'alice')

  const kept = await logIn(app, 'alice')
  const ended = await logIn(app, 'alice')
  const endedDuringOutage = await logIn(app, 'alice')
  t.equal((await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(ended.access) })).statusCode, 204, 'a logout before the cut')

  database.proxy.cut()
  // Let the pool see its idle connections end first: a client handed out just before its end arrives
  // emits an 'error' nobody listens to, and that ends the process (server-survives-database-loss.test.ts).
  await sleep(200)

  assertUnavailable(t, await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: PASSWORD } }), 'login')
  assertUnavailable(t, await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: 'wrong password' } }), 'a login with a wrong password')
  assertUnavailable(t, await refresh(app, kept.refresh), 'refresh')
  assertUnavailable(t, await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'password', username: 'alice', password: PASSWORD } }), 'the token endpoint')
  assertUnavailable(t, await app.inject({ url: '/users/me', headers: bearer(kept.access) }), '/users/me, which reads the user')

  // A logout the database cannot record still ends the session at once; the client is told to retry.
  assertUnavailable(t, await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(endedDuringOutage.access) }), 'a logout')
  t.equal(await meStatus(app, endedDuringOutage.access), 401, 'the token logged out during the outage is refused at once')

  // Checking a token needs no database: refusals stay refusals.
  t.equal(await meStatus(app, resign(kept.access, { alg: 'HS256', secret: 'not the secret, but long enough to pass' })), 401, 'a forged token is still refused')
  t.equal(await meStatus(app, ended.access), 401, 'a token logged out before the cut is still refused')
  t.equal((await app.inject({ url: '/users/me' })).statusCode, 401, 'no token is still refused')
  t.equal((await app.inject({ url: '/health' })).statusCode, 200, '/health: the process is up')

  const ready = await app.inject({ url: '/ready' })
  t.equal(ready.statusCode, 503, '/ready answers 503')
  t.same(ready.json(), { status: 'unavailable', database: 'down', redis: 'ok' })
  t.match(ready.headers['retry-after'], /^\d+$/)

  database.proxy.restore()

  t.ok(await eventually(async () => (await app.inject({ url: '/ready' })).statusCode === 200, 5000), '/ready recovers')
  const again = await logIn(app, 'alice')
  t.equal(await meStatus(app, again.access), 200, 'the user is still there: logging in works')
  const rotated = await refresh(app, kept.refresh)
  t.equal(rotated.statusCode, 200, 'the refresh family is still there: the old refresh token works (the failed attempt did not spend it)')
  t.equal(await meStatus(app, rotated.json().access_token), 200)
  t.equal(await meStatus(app, ended.access), 401, 'the revoked token is still refused')
  t.equal((await refresh(app, ended.refresh)).statusCode, 401, 'and its refresh token')
  t.equal((await refresh(app, endedDuringOutage.refresh)).statusCode, 401, 'the session logged out during the outage cannot be refreshed')
  t.equal((await refresh(app, endedDuringOutage.refresh)).statusCode, 401, 'not even by trying again')

  // A new instance knows only what the stores kept.
  const fresh = await startInstance(t, { ...env, DATABASE_URL: POSTGRES_URL }, { databaseSchema: schema })
  t.equal(await meStatus(fresh, ended.access), 401, 'an instance started afterwards refuses the revoked token too')
  t.equal(await meStatus(fresh, again.access), 200, 'and accepts the valid one')

  const unexpected = [...app.statuses, ...fresh.statuses].filter((status) => status >= 500 && status !== 503)
  t.same(unexpected, [], 'nothing answered a 5xx other than 503')
})
