import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, createUser, login } from '../../helper.js'
import { loginPair, loginStatus, meStatus, refreshStatus } from '../../support/sessions.js'
import { stores } from '../../support/stores.js'

const PASSWORD = 'a kettle of falcons at noon'
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'

async function asAdmin (app: FastifyInstance) {
  const admin = await createUser(app, `root-${Math.random().toString(36).slice(2, 8)}`, ['admin'])
  const token = await login(app, admin)
  const send = (method: 'POST' | 'DELETE' | 'PUT', url: string, payload?: object) =>
    app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload }) })
  return { admin, token, send }
}

for (const store of stores) {
  t.test(`user administration on ${store.name}`, async (t) => {
    const { env, options } = await store.setup(t)
    const app = await build(t, env, options)
    const { send } = await asAdmin(app)

    t.test('an admin creates a user, who can log in at once', async (t) => {
      const response = await send('POST', '/admin/users', { username: 'Alice', password: PASSWORD, roles: ['reader', 'reader', 'writer'] })
      t.equal(response.statusCode, 201)
      const user = response.json()
      t.match(user, { id: String, username: 'Alice', roles: ['reader', 'writer'], disabled: false, createdAt: String })
      t.same(Object.keys(user).sort(), ['createdAt', 'disabled', 'id', 'roles', 'username'])
      const token = (await loginPair(app, { username: 'alice', password: PASSWORD })).access_token
      t.same((await app.inject({ url: '/users/me', headers: bearer(token) })).json(), { id: user.id, username: 'Alice', roles: ['reader', 'writer'] })
      t.match((await send('POST', '/admin/users', { username: 'Bob', password: PASSWORD })).json(), { roles: [] }, 'roles are optional')
    })

    t.test('a taken name, in any case, is 409; a bad name, role, field or password is 400; nobody is created', async (t) => {
      await send('POST', '/admin/users', { username: 'carol', password: PASSWORD })
      const taken = await send('POST', '/admin/users', { username: 'CAROL', password: PASSWORD })
      t.equal(taken.statusCode, 409)
      t.match(taken.json(), { code: 'ERR_USERNAME_TAKEN', message: 'username "CAROL" is already taken' })

      const refused: Array<[object, string, RegExp?]> = [
        [{ username: 'dave', password: 'password1' }, 'ERR_PASSWORD_REJECTED', /most common passwords/],
        [{ username: 'dave', password: 'short' }, 'ERR_PASSWORD_REJECTED', /at least 8 characters/],
        [{ username: 'dave', password: 'x'.repeat(129) }, 'ERR_PASSWORD_REJECTED', /at most 128 characters/],
        [{ username: 'davedave', password: 'DaveDave' }, 'ERR_PASSWORD_REJECTED', /must not be the username/],
        [{ username: ' dave', password: PASSWORD }, 'ERR_VALIDATION', /start or end with a space/],
        [{ username: 'da\u0000ve', password: PASSWORD }, 'ERR_VALIDATION', /control or format characters/],
        // NEL (C1), a right-to-left override, a zero-width space, the line and paragraph separators, a soft hyphen.
        ...['\u0085', '\u202e', '\u200b', '\u2028', '\u2029', '\u00ad', '\ufeff'].map((invisible): [object, string, RegExp] =>
          [{ username: `da${invisible}ve`, password: PASSWORD }, 'ERR_VALIDATION', /control or format characters/]),
        [{ username: 'dave', password: 'password123 ' }, 'ERR_PASSWORD_REJECTED', /most common passwords/],
        [{ username: 'dave', password: ' \uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44\uff11\uff12\uff13' }, 'ERR_PASSWORD_REJECTED', /most common passwords/],
        [{ username: '\uFDFA'.repeat(4), password: PASSWORD }, 'ERR_VALIDATION', /limited to 64 characters/],
        [{ username: '', password: PASSWORD }, 'ERR_VALIDATION'],
        [{ username: 'dave', password: PASSWORD, roles: ['no spaces'] }, 'ERR_VALIDATION'],
        [{ username: 'dave', password: PASSWORD, disabled: true }, 'ERR_VALIDATION'],
        [{ username: 'dave' }, 'ERR_VALIDATION']
      ]
      for (const [body, code, message] of refused) {
        const response = await send('POST', '/admin/users', body)
        // Escaped, so a line separator in a name cannot break the test's own output.
        const name = JSON.stringify(body).slice(0, 60).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
        t.equal(response.statusCode, 400, name)
        t.match(response.json(), { statusCode: 400, code, ...(message === undefined ? {} : { message }) })
      }
      t.equal(await app.users.findByUsername('dave'), undefined, 'no dave was made')
    })

    t.test('deleting a user ends their tokens at once; the name can be taken again, the id never comes back', async (t) => {
      const erin = await createUser(app, 'erin')
      const sessions = [await loginPair(app, erin), await loginPair(app, erin)]

      const response = await send('DELETE', `/admin/users/${erin.id}`)
      t.equal(response.statusCode, 204)
      t.equal(response.body, '')
      for (const session of sessions) {
        t.equal(await meStatus(app, session.access_token), 401, 'an access token is refused')
        t.equal(await refreshStatus(app, session.refresh_token), 401, 'a refresh token is refused')
      }
      t.equal(await loginStatus(app, 'erin', erin.password), 401, 'the login is gone')
      t.equal((await send('DELETE', `/admin/users/${erin.id}`)).statusCode, 404, 'deleting again is 404')

      const again = await send('POST', '/admin/users', { username: 'erin', password: PASSWORD })
      t.equal(again.statusCode, 201, 'the username is free again')
      t.not(again.json().id, erin.id, 'under a new id')
      for (const session of sessions) t.equal(await meStatus(app, session.access_token), 401, 'the old tokens stay refused')
      const fresh = await loginPair(app, { username: 'erin', password: PASSWORD })
      t.equal(await meStatus(app, fresh.access_token), 200, 'the new erin logs in')
    })

    t.test('an admin sets a password: every session of the user ends, only the new password logs in', async (t) => {
      const frank = await createUser(app, 'frank')
      const session = await loginPair(app, frank)
      const response = await send('PUT', `/admin/users/${frank.id}/password`, { password: PASSWORD })
      t.equal(response.statusCode, 204)
      t.equal(await meStatus(app, session.access_token), 401)
      t.equal(await refreshStatus(app, session.refresh_token), 401)
      t.equal(await loginStatus(app, 'frank', frank.password), 401)
      t.equal(await loginStatus(app, 'frank', PASSWORD), 200)

      const rejected = await send('PUT', `/admin/users/${frank.id}/password`, { password: 'qwertyuiop' })
      t.equal(rejected.statusCode, 400)
      t.match(rejected.json(), { code: 'ERR_PASSWORD_REJECTED', message: /most common passwords/ })
      const unknown = await send('PUT', `/admin/users/${UNKNOWN_ID}/password`, { password: PASSWORD })
      t.equal(unknown.statusCode, 404)
      t.match(unknown.json(), { code: 'ERR_USER_NOT_FOUND' })
      t.equal((await send('PUT', `/admin/users/${frank.id}/password`, { password: PASSWORD, extra: 1 })).statusCode, 400, 'unknown fields are refused')
    })
  })
}

t.test('only admins may create, delete or set passwords', async (t) => {
  const app = await build(t)
  const grace = await createUser(app, 'grace', ['reader'])
  const token = await login(app, grace)
  const requests = [
    { method: 'POST' as const, url: '/admin/users', payload: { username: 'heidi', password: PASSWORD } },
    { method: 'DELETE' as const, url: `/admin/users/${grace.id}` },
    { method: 'PUT' as const, url: `/admin/users/${grace.id}/password`, payload: { password: PASSWORD } }
  ]
  for (const request of requests) {
    const forbidden = await app.inject({ ...request, headers: bearer(token) })
    t.equal(forbidden.statusCode, 403, `${request.method} ${request.url}`)
    t.equal(forbidden.headers['www-authenticate'], 'Bearer realm="tollgate", error="insufficient_scope"')
    t.equal((await app.inject(request)).statusCode, 401, 'and 401 without a token')
  }
  t.equal(await loginStatus(app, 'grace', grace.password), 200, 'grace is still there, with her password')
  t.equal(await app.users.findByUsername('heidi'), undefined)
})
