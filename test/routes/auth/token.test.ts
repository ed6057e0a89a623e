import t from 'tap'
import { bearer, build, createUser, PASSWORD } from '../../helper.js'
import { decodeJwt, TEST_ISSUER } from '../../support/forge.js'

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString()
})
const json = (fields: Record<string, unknown>) => ({ payload: fields })

for (const [encoding, encode] of [['form-encoded', form], ['JSON', json]] as const) {
  t.test(`a ${encoding} password grant issues a complete access token, not to be cached`, async (t) => {
    const app = await build(t)
    const alice = await createUser(app, 'alice', ['reader'])
    const response = await app.inject({ method: 'POST', url: '/auth/token', ...encode({ grant_type: 'password', username: 'alice', password: PASSWORD }) })

    t.equal(response.statusCode, 200)
    t.equal(response.headers['cache-control'], 'no-store')
    const body = response.json()
    t.match(body, { token_type: 'Bearer', expires_in: 900, access_token: String })

    const { header, payload } = decodeJwt(body.access_token)
    t.match(header, { alg: 'HS256', typ: 'at+jwt' })
    t.match(payload, { sub: alice.id, iss: TEST_ISSUER, aud: 'tollgate-api', roles: ['reader'], scope: String, jti: String })
    for (const claim of ['iat', 'nbf', 'exp']) t.type(payload[claim], 'number', `${claim} is a number`)
    t.equal(payload.exp - payload.iat, 900)

    const me = await app.inject({ url: '/users/me', headers: bearer(body.access_token) })
    t.equal(me.statusCode, 200)
    t.same(me.json(), { id: alice.id, username: 'alice', roles: ['reader'] })
  })
}

t.test('usernames are case-insensitive in the password grant', async (t) => {
  const app = await build(t)
  const alice = await createUser(app, 'alice')
  const response = await app.inject({ method: 'POST', url: '/auth/token', ...form({ grant_type: 'password', username: 'ALICE', password: PASSWORD }) })
  t.equal(response.statusCode, 200)
  t.equal(decodeJwt(response.json().access_token).payload.sub, alice.id)
})

t.test('a request missing a field is invalid_request', async (t) => {
  const app = await build(t)
  await createUser(app, 'alice')
  const cases: Array<[string, ReturnType<typeof form> | ReturnType<typeof json>]> = [
    ['no username', form({ grant_type: 'password', password: PASSWORD })],
    ['no password', form({ grant_type: 'password', username: 'alice' })],
    ['no grant_type', form({ username: 'alice', password: PASSWORD })],
    ['an empty form', form({})],
    ['an empty username', form({ grant_type: 'password', username: '', password: PASSWORD })],
    ['JSON with no password', json({ grant_type: 'password', username: 'alice' })]
  ]
  for (const [what, request] of cases) {
    const response = await app.inject({ method: 'POST', url: '/auth/token', ...request })
    t.equal(response.statusCode, 400, what)
    t.match(response.json(), { error: 'invalid_request', error_description: String }, what)
  }
})

t.test('an unknown grant_type is unsupported_grant_type', async (t) => {
  const app = await build(t)
  for (const grant of ['implicit', 'token', 'PASSWORD', 'x'.repeat(500)]) {
    const response = await app.inject({ method: 'POST', url: '/auth/token', ...form({ grant_type: grant, username: 'alice', password: PASSWORD }) })
    t.equal(response.statusCode, 400, grant.slice(0, 20))
    t.equal(response.json().error, 'unsupported_grant_type')
    t.ok(response.body.length < 1000, 'the answer does not echo an unbounded value')
  }
})
