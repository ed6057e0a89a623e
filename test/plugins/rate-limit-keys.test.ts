import { Redis } from 'ioredis'
import t from 'tap'
import { build, createUser } from '../helper.js'
import { freshRedisPrefix, REDIS_URL } from '../support/stores.js'

t.test('the throttle\'s Redis keys are named after what they count', async (t) => {
  const prefix = await freshRedisPrefix(t)
  const redis = new Redis(REDIS_URL)
  t.teardown(() => { redis.disconnect() })
  const app = await build(t, { REDIS_URL, REDIS_PREFIX: prefix, LOGIN_RATE_LIMIT: '5' })
  const alice = await createUser(app, 'alice')
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'Alice', password: 'not her password' } })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: alice.password } })).statusCode, 200)
  const keys = (await redis.keys(`${prefix}*`)).sort()
  t.same(keys, [`${prefix}rate-limit:login-attempts:address:127.0.0.1`, `${prefix}rate-limit:login-failures:username:alice`])
  t.equal(await redis.get(`${prefix}rate-limit:login-attempts:address:127.0.0.1`), '2', 'every attempt from the address')
  t.equal(await redis.get(`${prefix}rate-limit:login-failures:username:alice`), '1', 'only the failure for the username')
})
