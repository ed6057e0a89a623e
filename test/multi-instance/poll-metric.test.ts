import { join } from 'node:path'
import t from 'tap'
import { cli } from '../cli/run-cli.js'
import { bearer, build, createUser, login, testEnv } from '../helper.js'
import { freshRedisPrefix, REDIS_URL } from '../support/stores.js'

/**
 * The README's alert "revocations arrive by the database poll while Redis is up" must stay quiet on a healthy
 * deployment: a CLI change that ends all of a user's sessions publishes the user's cut-off, and the ended
 * sessions the poll then reads add nothing to it.
 */
t.test('with Redis up, `user disable` from the CLI reaches a server by pub/sub alone: the poll counts nothing', async (t) => {
  const prefix = await freshRedisPrefix(t)
  const shared = { DATABASE_URL: `sqlite:${join(t.testdir(), 'tollgate.db')}`, REDIS_URL, REDIS_PREFIX: prefix }
  // No timer: the poll runs when the test says.
  const app = await build(t, shared, { databaseSyncMs: 3_600_000 })
  const alice = await createUser(app, 'alice')
  const tokens = [await login(app, alice), await login(app, alice)]

  const disabled = await cli(['user', 'disable', 'alice'], testEnv({ ...shared, LOG_LEVEL: 'silent' }))
  t.equal(disabled.code, 0, disabled.stderr)
  for (let deadline = Date.now() + 2000; (await app.inject({ url: '/users/me', headers: bearer(tokens[0]!) })).statusCode !== 401;) {
    if (Date.now() > deadline) throw new Error('the cut-off did not arrive by Redis within 2 s')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await app.revocations.store.sync()
  t.same(app.revocations.list.applied['redis-pubsub'], { token: 0, session: 0, cutoff: 1 }, 'the cut-off came by pub/sub')
  t.same(app.revocations.list.applied['database-poll'], { token: 0, session: 0, cutoff: 0 }, 'the poll found nothing Redis had not brought')
  for (const token of tokens) t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401)
})
