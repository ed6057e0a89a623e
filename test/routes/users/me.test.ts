import t from 'tap'
import { bearer, build, createUser, login } from '../../helper.js'

t.test('a logged-in user reads their own profile with the Bearer token', async (t) => {
  const app = await build(t)
  const alice = await createUser(app, 'alice', ['reader'])
  const token = await login(app, alice)

  const response = await app.inject({ url: '/users/me', headers: bearer(token) })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { id: alice.id, username: 'alice', roles: ['reader'] })
})

t.test('without a token /users/me answers 401 with a Bearer challenge', async (t) => {
  const app = await build(t)
  const response = await app.inject({ url: '/users/me' })
  t.equal(response.statusCode, 401)
  t.equal(response.headers['www-authenticate'], 'Bearer realm="tollgate"')
  t.equal(response.json().statusCode, 401)
})
