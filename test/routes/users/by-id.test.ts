import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, createUser, login } from '../../helper.js'

const SECRET = 'a+b:c%'
const NEEDS_USERS_READ = 'Bearer realm="tollgate", error="insufficient_scope", scope="users:read"'

async function clientToken (app: FastifyInstance, id: string, scopes: string[]): Promise<string> {
  await app.clients.repository.create({ id, secretHash: await app.passwords.hash(SECRET), scopes })
  const response = await app.inject({
    method: 'POST',
    url: '/auth/token',
    payload: { grant_type: 'client_credentials', client_id: id, client_secret: SECRET }
  })
  if (response.statusCode !== 200) throw new Error(`client credentials grant failed: ${response.statusCode} ${response.body}`)
  return response.json().access_token
}

t.test('a client token with users:read reads any user', async (t) => {
  const app = await build(t)
  const alice = await createUser(app, 'alice', ['reader'])
  const token = await clientToken(app, 'directory', ['users:read'])

  const response = await app.inject({ url: `/users/${alice.id}`, headers: bearer(token) })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { id: alice.id, username: 'alice', roles: ['reader'] })

  const missing = await app.inject({ url: '/users/00000000-0000-4000-8000-000000000000', headers: bearer(token) })
  t.equal(missing.statusCode, 404)
  t.equal((await app.inject({ url: '/users/not-a-uuid', headers: bearer(token) })).statusCode, 400)
})

t.test('a client token without users:read gets 403 naming the scope', async (t) => {
  const app = await build(t)
  const alice = await createUser(app)
  const token = await clientToken(app, 'reports', ['reports:write'])

  const response = await app.inject({ url: `/users/${alice.id}`, headers: bearer(token) })
  t.equal(response.statusCode, 403)
  t.equal(response.headers['www-authenticate'], NEEDS_USERS_READ)
  t.match(response.json(), { statusCode: 403, error: 'Forbidden' })
})

t.test('a user\'s own token, even an admin\'s, does not carry users:read', async (t) => {
  const app = await build(t)
  const alice = await createUser(app, 'alice', ['admin'])
  const bob = await createUser(app, 'bob')
  const token = await login(app, alice)

  for (const id of [alice.id, bob.id]) {
    const response = await app.inject({ url: `/users/${id}`, headers: bearer(token) })
    t.equal(response.statusCode, 403)
    t.equal(response.headers['www-authenticate'], NEEDS_USERS_READ)
  }
})

t.test('without a token the route answers 401, and a client token on /users/me finds no user', async (t) => {
  const app = await build(t)
  const alice = await createUser(app)
  const response = await app.inject({ url: `/users/${alice.id}` })
  t.equal(response.statusCode, 401)
  t.equal(response.headers['www-authenticate'], 'Bearer realm="tollgate"')

  const me = await app.inject({ url: '/users/me', headers: bearer(await clientToken(app, 'directory', ['users:read'])) })
  t.equal(me.statusCode, 404)
})
