import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, createUser, type TestUser } from '../../helper.js'
import { stores } from '../../support/stores.js'

interface Pair { access_token: string, refresh_token: string }

async function loginPair (app: FastifyInstance, user: TestUser): Promise<Pair> {
  return (await app.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: user.password } })).json()
}

const me = async (app: FastifyInstance, token: string) => (await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode
const refresh = async (app: FastifyInstance, token: string) =>
  (await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: token } })).statusCode

for (const store of stores) {
  t.test(`logout on ${store.name}`, async (t) => {
    const { env, options } = await store.setup(t)
    const app = await build(t, env, options)
    const alice = await createUser(app, 'alice')

    t.test('logout ends this access token and its refresh family at once, and nothing else', async (t) => {
      const session = await loginPair(app, alice)
      const other = await loginPair(app, alice)
      const response = await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(session.access_token) })
      t.equal(response.statusCode, 204)
      t.equal(response.body, '')
      t.equal(await me(app, session.access_token), 401)
      t.equal(await refresh(app, session.refresh_token), 401)
      t.equal(await me(app, other.access_token), 200)
      t.equal(await refresh(app, other.refresh_token), 200)
    })

    t.test('a revoked token is refused with invalid_token and says so', async (t) => {
      const session = await loginPair(app, alice)
      await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(session.access_token) })
      const response = await app.inject({ url: '/users/me', headers: bearer(session.access_token) })
      t.equal(response.headers['www-authenticate'], 'Bearer realm="tollgate", error="invalid_token", error_description="The access token has been revoked"')
      const again = await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(session.access_token) })
      t.equal(again.statusCode, 401, 'a logged-out token cannot log out again')
    })

    t.test('logout-all ends every session of the user, and a login right after it works', async (t) => {
      const sessions = [await loginPair(app, alice), await loginPair(app, alice)]
      const response = await app.inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(sessions[0]!.access_token) })
      t.equal(response.statusCode, 204)
      for (const session of sessions) {
        t.equal(await me(app, session.access_token), 401)
        t.equal(await refresh(app, session.refresh_token), 401)
      }
      // Same second as the cut-off: the new token must still be accepted.
      const fresh = await loginPair(app, alice)
      t.equal(await me(app, fresh.access_token), 200)
    })

    t.test('logout needs a token', async (t) => {
      const response = await app.inject({ method: 'POST', url: '/auth/logout' })
      t.equal(response.statusCode, 401)
      t.equal(response.headers['www-authenticate'], 'Bearer realm="tollgate"')
    })

    t.test('revocations survive a restart of an instance on the same store', async (t) => {
      const session = await loginPair(app, alice)
      await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(session.access_token) })
      const restarted = await build(t, env, options)
      t.equal(await me(restarted, session.access_token), 401)
    })
  })
}
