import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, createUser } from '../../helper.js'
import { loginPair, meStatus, refreshStatus } from '../../support/sessions.js'
import { stores } from '../../support/stores.js'

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

const listSessions = (app: FastifyInstance, token: string) => app.inject({ url: '/users/me/sessions', headers: bearer(token) })
const endSession = (app: FastifyInstance, token: string, id: string) =>
  app.inject({ method: 'DELETE', url: `/users/me/sessions/${id}`, headers: bearer(token) })
const sid = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sid

for (const store of stores) {
  t.test(`a user's sessions on ${store.name}`, async (t) => {
    const { env, options } = await store.setup(t)
    const app = await build(t, env, options)

    t.test('each login is a session, listed with when, from what and from where; this one is marked current', async (t) => {
      const alice = await createUser(app, 'alice')
      const phone = await loginPair(app, alice, 'Phone/1.0')
      const laptop = await loginPair(app, alice, 'Laptop/2.0')

      const response = await listSessions(app, laptop.access_token)
      t.equal(response.statusCode, 200)
      const sessions = response.json()
      t.equal(sessions.length, 2)
      for (const session of sessions) {
        t.same(Object.keys(session).sort(), ['address', 'created_at', 'current', 'id', 'last_used_at', 'user_agent'])
        t.match(session.created_at, ISO)
        t.match(session.last_used_at, ISO)
        t.equal(session.address, '127.0.0.1')
      }
      t.match(sessions.find((s: { id: string }) => s.id === sid(laptop.access_token)), { user_agent: 'Laptop/2.0', current: true })
      t.match(sessions.find((s: { id: string }) => s.id === sid(phone.access_token)), { user_agent: 'Phone/1.0', current: false })

      // A refresh is a use: it moves the session to the top, with the program that made it.
      await new Promise((resolve) => setTimeout(resolve, 5))
      const refreshed = await app.inject({
        method: 'POST', url: '/auth/refresh', headers: { 'user-agent': 'Phone/1.1' }, payload: { refresh_token: phone.refresh_token }
      })
      t.equal(refreshed.statusCode, 200)
      const after = (await listSessions(app, laptop.access_token)).json()
      t.equal(after[0].id, sid(phone.access_token), 'the session used last comes first')
      t.equal(after[0].user_agent, 'Phone/1.1')
      t.ok(Date.parse(after[0].last_used_at) > Date.parse(after[0].created_at), 'its last use is after its start')
      t.equal(after[0].id, sid(refreshed.json().access_token), 'a refresh stays in the same session')
    })

    t.test('ending one session refuses its tokens at once and leaves the others', async (t) => {
      const bob = await createUser(app, 'bob')
      const here = await loginPair(app, bob)
      const stolen = await loginPair(app, bob, 'curl/8')

      const response = await endSession(app, here.access_token, sid(stolen.access_token))
      t.equal(response.statusCode, 204)
      t.equal(response.body, '')
      t.equal(await meStatus(app, stolen.access_token), 401, 'its access token is refused')
      t.equal(await refreshStatus(app, stolen.refresh_token), 401, 'its refresh token is refused')
      t.equal(await meStatus(app, here.access_token), 200, 'this session goes on')
      t.same((await listSessions(app, here.access_token)).json().map((s: { id: string }) => s.id), [sid(here.access_token)], 'it is no longer listed')

      const again = await endSession(app, here.access_token, sid(stolen.access_token))
      t.equal(again.statusCode, 404, 'an ended session cannot be ended again')
      t.match(again.json(), { code: 'ERR_SESSION_NOT_FOUND' })
    })

    t.test('ending the current session is a logout', async (t) => {
      const carol = await createUser(app, 'carol')
      const here = await loginPair(app, carol)
      t.equal((await endSession(app, here.access_token, sid(here.access_token))).statusCode, 204)
      t.equal(await meStatus(app, here.access_token), 401)
      t.equal(await refreshStatus(app, here.refresh_token), 401)
    })

    t.test('another user\'s session is not found and goes on', async (t) => {
      const dave = await createUser(app, 'dave')
      const erin = await createUser(app, 'erin')
      const daves = await loginPair(app, dave)
      const erins = await loginPair(app, erin)
      for (const id of [sid(erins.access_token), UNKNOWN_ID]) {
        const response = await endSession(app, daves.access_token, id)
        t.equal(response.statusCode, 404)
        t.match(response.json(), { statusCode: 404, code: 'ERR_SESSION_NOT_FOUND' })
      }
      t.equal(await meStatus(app, erins.access_token), 200)
      t.equal((await endSession(app, daves.access_token, 'not-a-uuid')).statusCode, 400, 'an id that is not a UUID')
      t.equal((await app.inject({ url: '/users/me/sessions' })).statusCode, 401, 'no token, no list')
    })

    t.test('a session whose refresh token was reused is not listed', async (t) => {
      const frank = await createUser(app, 'frank')
      const here = await loginPair(app, frank)
      const other = await loginPair(app, frank)
      t.equal(await refreshStatus(app, other.refresh_token), 200)
      t.equal(await refreshStatus(app, other.refresh_token), 401, 'the spent token again: the family ends')
      t.same((await listSessions(app, here.access_token)).json().map((s: { id: string }) => s.id), [sid(here.access_token)])
    })
  })
}
