import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, createUser, PASSWORD } from '../../helper.js'

/** A login as Fastify's inject sends it, from `remoteAddress`, with the `X-Forwarded-For` a proxy would add. */
const loginFrom = (app: FastifyInstance, remoteAddress: string, forwardedFor: string | undefined, username: string, password = 'wrong password') =>
  app.inject({
    method: 'POST',
    url: '/auth/login',
    remoteAddress,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    payload: { username, password }
  })

const PROXY = '10.0.0.5'

/** Five failed logins with made-up names from one caller behind the proxy: the per-address budget is 4. */
async function flood (app: FastifyInstance, forwardedFor: string) {
  const statuses = []
  for (let i = 0; i < 5; i++) statuses.push((await loginFrom(app, PROXY, forwardedFor, `nobody-${i}`)).statusCode)
  return statuses
}

t.test('without TRUST_PROXY everyone behind a proxy shares its address, and one caller exhausts the budget for all', async (t) => {
  const app = await build(t, { LOGIN_RATE_LIMIT: '2' })
  const user = await createUser(app, 'alice')
  t.same(await flood(app, '203.0.113.7'), [401, 401, 401, 401, 429])
  t.equal((await loginFrom(app, PROXY, '198.51.100.2', user.username, PASSWORD)).statusCode, 429, 'the proxy\'s address is throttled')
})

for (const setting of [PROXY, '10.0.0.0/8', '1', 'true']) {
  t.test(`TRUST_PROXY=${setting}: throttling counts the client's own address`, async (t) => {
    const app = await build(t, { LOGIN_RATE_LIMIT: '2', TRUST_PROXY: setting })
    const user = await createUser(app, 'alice')
    t.same(await flood(app, '203.0.113.7'), [401, 401, 401, 401, 429], 'the flooding caller is throttled')
    t.equal((await loginFrom(app, PROXY, '198.51.100.2', user.username, PASSWORD)).statusCode, 200, 'another caller behind the same proxy is not')
    // `true` believes every hop, so the left-most address, which the caller may write itself, is the client.
    if (setting === 'true') return
    t.equal((await loginFrom(app, PROXY, '198.51.100.9, 203.0.113.7', 'nobody')).statusCode, 429,
      'the address the proxy saw counts, not one the caller wrote into the header before it')
  })
}

t.test('with TRUST_PROXY naming the proxy, a caller reaching Tollgate directly cannot pick its address', async (t) => {
  const app = await build(t, { LOGIN_RATE_LIMIT: '2', TRUST_PROXY: PROXY })
  const statuses = []
  for (let i = 0; i < 5; i++) statuses.push((await loginFrom(app, '192.0.2.50', `198.51.100.${i}`, `nobody-${i}`)).statusCode)
  t.same(statuses, [401, 401, 401, 401, 429], 'a new X-Forwarded-For each time changes nothing')
})
