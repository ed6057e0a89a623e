import type { InjectOptions } from 'fastify'
import t from 'tap'
import { build, createUser, PASSWORD } from '../../helper.js'

/** Every way a login fails on its credentials: each gets the same answer, so none tells which it was. */
const attempts = [
  { name: 'a wrong password', username: 'alice', password: 'wrong password' },
  { name: 'an unknown user', username: 'nobody', password: PASSWORD },
  { name: 'a disabled user', username: 'carol', password: PASSWORD }
]

interface Endpoint {
  name: string
  request (username: string, password: string): InjectOptions
  status: number
  headers: Record<string, string>
  /** Matched against the JSON body (`t.match`). */
  body: Record<string, unknown>
}

const endpoints: Endpoint[] = [
  {
    name: 'a JSON login on /auth/login',
    request: (username, password) => ({ method: 'POST', url: '/auth/login', payload: { username, password } }),
    status: 401,
    headers: { 'www-authenticate': 'Bearer realm="tollgate"' },
    body: { statusCode: 401, error: 'Unauthorized', message: String, code: 'ERR_INVALID_CREDENTIALS' }
  },
  {
    name: 'the password grant on /auth/token',
    request: (username, password) => ({
      method: 'POST',
      url: '/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'password', username, password }).toString()
    }),
    status: 400,
    headers: { 'cache-control': 'no-store' },
    body: { error: /^invalid_grant$/ }
  }
]

for (const endpoint of endpoints) {
  t.test(`${endpoint.name}: a wrong password, an unknown user and a disabled user get one and the same ${endpoint.status}`, async (t) => {
    const app = await build(t)
    await createUser(app, 'alice')
    const carol = await createUser(app, 'carol')
    await app.users.update(carol.id, { disabled: true })

    const bodies: string[] = []
    for (const { name, username, password } of attempts) {
      const response = await app.inject(endpoint.request(username, password))
      t.equal(response.statusCode, endpoint.status, name)
      for (const [header, value] of Object.entries(endpoint.headers)) t.equal(response.headers[header], value, `${name}: ${header}`)
      t.match(response.json(), endpoint.body, `${name}: the body`)
      t.notOk('access_token' in response.json(), `${name}: no token`)
      bodies.push(response.body)
    }
    const [first, ...rest] = bodies
    for (const body of rest) t.equal(body, first, 'byte-identical bodies')
  })
}
