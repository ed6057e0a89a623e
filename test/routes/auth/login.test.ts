import argon2 from 'argon2'
import t from 'tap'
import { bearer, build, createUser, PASSWORD } from '../../helper.js'
import { decodeJwt, TEST_ISSUER } from '../../support/forge.js'

t.test('a JSON login issues a complete access token, not to be cached', async (t) => {
  const app = await build(t)
  const alice = await createUser(app, 'alice', ['reader', 'writer'])
  const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: PASSWORD } })

  t.equal(response.statusCode, 200)
  t.equal(response.headers['cache-control'], 'no-store')
  const body = response.json()
  t.match(body, { token_type: 'Bearer', expires_in: 900, access_token: String })
  t.notOk('scope' in body, 'no scope was asked for, so none is echoed')

  const { header, payload } = decodeJwt(body.access_token)
  t.match(header, { alg: 'HS256', typ: 'at+jwt' })
  t.match(payload, { sub: alice.id, iss: TEST_ISSUER, aud: 'tollgate-api', roles: ['reader', 'writer'], scope: String, jti: String })
  for (const claim of ['iat', 'nbf', 'exp']) t.type(payload[claim], 'number', `${claim} is a number`)
  t.equal(payload.nbf, payload.iat)
  t.equal(payload.exp - payload.iat, 900)
  t.ok(Math.abs(payload.iat - Date.now() / 1000) < 60, 'iat is now')

  const me = await app.inject({ url: '/users/me', headers: bearer(body.access_token) })
  t.equal(me.statusCode, 200)
  t.same(me.json(), { id: alice.id, username: 'alice', roles: ['reader', 'writer'] })
})

t.test('usernames are case-insensitive at login', async (t) => {
  const app = await build(t)
  const alice = await createUser(app, 'Alice')
  for (const username of ['alice', 'ALICE', 'Alice']) {
    const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: PASSWORD } })
    t.equal(response.statusCode, 200, username)
    t.equal(decodeJwt(response.json().access_token).payload.sub, alice.id)
  }
})

t.test('a login without both fields is a 400, whatever is missing', async (t) => {
  const app = await build(t)
  await createUser(app, 'alice')
  const payloads: unknown[] = [{ username: 'alice' }, { password: PASSWORD }, {}, { username: '', password: PASSWORD }, { username: 'alice', password: { not: 'a string' } }]
  for (const payload of payloads) {
    const response = await app.inject({ method: 'POST', url: '/auth/login', payload: payload as object })
    t.equal(response.statusCode, 400, JSON.stringify(payload))
    t.match(response.json(), { statusCode: 400, error: 'Bad Request' })
  }
  const notJson = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":' })
  t.equal(notJson.statusCode, 400, 'a truncated JSON body')
})

t.test('a login with a hash of older parameters rewrites it with the current ones', async (t) => {
  const app = await build(t)
  const old = await argon2.hash(PASSWORD) // argon2's defaults: m=65536, t=3, p=4
  const user = await app.users.create({ username: 'olduser', passwordHash: old })
  t.equal((await app.users.findByUsername('olduser'))?.passwordHash, old)

  const wrong = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'olduser', password: 'wrong' } })
  t.equal(wrong.statusCode, 401)
  t.equal((await app.users.findByUsername('olduser'))?.passwordHash, old, 'a failed login rewrites nothing')

  const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'olduser', password: PASSWORD } })
  t.equal(response.statusCode, 200)
  const rewritten = (await app.users.findByUsername('olduser'))?.passwordHash ?? ''
  t.not(rewritten, old)
  t.match(rewritten, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$|^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  t.equal(decodeJwt(response.json().access_token).payload.sub, user.id)

  const again = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'olduser', password: PASSWORD } })
  t.equal(again.statusCode, 200, 'the rewritten hash verifies the same password')
  t.equal((await app.users.findByUsername('olduser'))?.passwordHash, rewritten, 'and is not rewritten again')
})
