import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Environment } from '../../src/config/environment.js'
import { bearer, createUser } from '../helper.js'
import { freshRedisPrefix, freshSchema, POSTGRES_URL, REDIS_URL } from '../support/stores.js'
import { logIn, meStatus, refresh, startInstance } from './instances.js'

interface Store {
  name: string
  setup (t: Test): Promise<{ env: Environment, databaseSchema?: string }>
}

const stores: Store[] = [
  {
    name: 'a SQLite file',
    async setup (t) { return { env: { DATABASE_URL: `sqlite:${join(t.testdir(), 'tollgate.db')}` } } }
  },
  {
    name: 'PostgreSQL',
    async setup (t) { return { env: { DATABASE_URL: POSTGRES_URL }, databaseSchema: await freshSchema(t) } }
  },
  {
    // Redis keeps revocations too; the database must agree with it.
    name: 'PostgreSQL and Redis',
    async setup (t) {
      return { env: { DATABASE_URL: POSTGRES_URL, REDIS_URL, REDIS_PREFIX: await freshRedisPrefix(t) }, databaseSchema: await freshSchema(t) }
    }
  }
]

for (const store of stores) {
  t.test(`a restart on ${store.name} forgets no session and no revocation`, async (t) => {
    const { env, databaseSchema } = await store.setup(t)
    const options = databaseSchema === undefined ? {} : { databaseSchema }

    // The first instance is closed by hand halfway; its teardown then finds it closed already.
    const before = await startInstance(t, env, options)
    await createUser(before.app, 'alice')
    await createUser(before.app, 'bob')
    const loggedOut = await logIn(before, 'alice')
    const live = await logIn(before, 'alice')
    const everywhere = await logIn(before, 'bob')
    const reused = await logIn(before, 'alice')
    t.equal((await before.inject({ method: 'POST', url: '/auth/logout', headers: bearer(loggedOut.access) })).statusCode, 204)
    t.equal((await before.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(everywhere.access) })).statusCode, 204)
    const rotated = await refresh(before, reused.refresh)
    t.equal(rotated.statusCode, 200)
    t.equal((await refresh(before, reused.refresh)).statusCode, 401, 'a spent refresh token presented again ends its family')
    await before.app.close()

    const after = await startInstance(t, env, options)
    t.equal(await meStatus(after, loggedOut.access), 401, 'the logged-out access token is still refused')
    t.equal((await refresh(after, loggedOut.refresh)).statusCode, 401, 'its refresh token is still rejected')
    t.equal(await meStatus(after, everywhere.access), 401, 'a token ended by logout-all is still refused')
    t.equal((await refresh(after, everywhere.refresh)).statusCode, 401, 'and its refresh token rejected')
    t.equal(await meStatus(after, rotated.json().access_token), 401, 'the reused family\'s latest access token is still refused')
    t.equal((await refresh(after, rotated.json().refresh_token)).statusCode, 401, 'and its latest refresh token rejected')

    t.equal(await meStatus(after, live.access), 200, 'an untouched access token still works')
    const next = await refresh(after, live.refresh)
    t.equal(next.statusCode, 200, 'an unrevoked refresh token still works')
    t.equal(await meStatus(after, next.json().access_token), 200, 'and gives a working access token')
    t.equal(await meStatus(after, (await logIn(after, 'bob')).access), 200, 'a user cut off before the restart can log in again')
  })
}
