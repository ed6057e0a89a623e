import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, createUser } from '../../helper.js'
import { loginPair, loginStatus, meStatus, refreshStatus } from '../../support/sessions.js'
import { stores } from '../../support/stores.js'

const NEW_PASSWORD = 'a kettle of falcons at noon'

const change = (app: FastifyInstance, token: string, payload: object) =>
  app.inject({ method: 'POST', url: '/users/me/password', headers: bearer(token), payload })

for (const store of stores) {
  t.test(`password change on ${store.name}`, async (t) => {
    const { env, options } = await store.setup(t)
    const app = await build(t, env, options)

    t.test('ends every other session of the user; this one goes on, and only the new password logs in', async (t) => {
      const alice = await createUser(app, 'alice')
      const bob = await createUser(app, 'bob')
      const here = await loginPair(app, alice)
      const elsewhere = [await loginPair(app, alice, 'phone'), await loginPair(app, alice, 'laptop')]
      const bobs = await loginPair(app, bob)

      const response = await change(app, here.access_token, { current_password: alice.password, new_password: NEW_PASSWORD })
      t.equal(response.statusCode, 204)
      t.equal(response.body, '')

      t.equal(await meStatus(app, here.access_token), 200, 'the session it was made in goes on')
      t.equal(await refreshStatus(app, here.refresh_token), 200, 'and can still be refreshed')
      for (const [i, other] of elsewhere.entries()) {
        t.equal(await meStatus(app, other.access_token), 401, `other session ${i + 1}: its access token is refused at once`)
        t.equal(await refreshStatus(app, other.refresh_token), 401, `other session ${i + 1}: its refresh token is refused`)
      }
      t.equal(await meStatus(app, bobs.access_token), 200, 'another user is untouched')
      t.equal(await loginStatus(app, 'alice', alice.password), 401, 'the old password no longer logs in')
      t.equal(await loginStatus(app, 'alice', NEW_PASSWORD), 200, 'the new one does')
    })

    t.test('a wrong current password is 400 ERR_CURRENT_PASSWORD_WRONG and changes nothing', async (t) => {
      const carol = await createUser(app, 'carol')
      const here = await loginPair(app, carol)
      const other = await loginPair(app, carol)
      const response = await change(app, here.access_token, { current_password: 'not the password', new_password: NEW_PASSWORD })
      t.equal(response.statusCode, 400)
      t.match(response.json(), { statusCode: 400, error: 'Bad Request', code: 'ERR_CURRENT_PASSWORD_WRONG', message: 'The current password is wrong' })
      t.equal(await meStatus(app, other.access_token), 200, 'no session ended')
      t.equal(await loginStatus(app, 'carol', carol.password), 200, 'the password is unchanged')
    })

    t.test('a new password the policy refuses is 400 ERR_PASSWORD_REJECTED, saying why', async (t) => {
      const dave = await createUser(app, 'dave')
      const { access_token: token } = await loginPair(app, dave)
      const cases: Array<[string, RegExp]> = [
        ['', /at least 8 characters/],
        ['seven77', /at least 8 characters/],
        ['🔑'.repeat(7), /at least 8 characters/], // 14 UTF-16 units, but 7 characters
        ['x'.repeat(129), /at most 128 characters/],
        ['password1', /most common passwords/],
        ['PassWord1', /most common passwords/],
        ['iloveyou', /most common passwords/],
        [dave.password, /must differ from the current one/]
      ]
      for (const [next, reason] of cases) {
        const response = await change(app, token, { current_password: dave.password, new_password: next })
        t.equal(response.statusCode, 400, JSON.stringify(next).slice(0, 40))
        t.match(response.json(), { code: 'ERR_PASSWORD_REJECTED', message: reason })
      }
      t.equal(await loginStatus(app, 'dave', dave.password), 200, 'nothing was changed')
      const long = `${'ø'.repeat(127)}!`
      t.equal((await change(app, token, { current_password: dave.password, new_password: long })).statusCode, 204, '128 characters, most of them two bytes, are accepted')
    })

    t.test('the username itself, in any case, is refused', async (t) => {
      const user = await createUser(app, 'Erin.Longname')
      const { access_token: token } = await loginPair(app, user)
      const response = await change(app, token, { current_password: user.password, new_password: 'erin.longname' })
      t.equal(response.statusCode, 400)
      t.match(response.json(), { code: 'ERR_PASSWORD_REJECTED', message: /must not be the username/ })
    })

    t.test('missing fields, other types and no token are refused before anything is checked', async (t) => {
      const frank = await createUser(app, 'frank')
      const { access_token: token } = await loginPair(app, frank)
      for (const body of [{}, { current_password: frank.password }, { new_password: NEW_PASSWORD }, { current_password: { value: frank.password }, new_password: NEW_PASSWORD }]) {
        const response = await change(app, token, body)
        t.equal(response.statusCode, 400, JSON.stringify(body))
        t.match(response.json(), { code: 'ERR_VALIDATION' })
      }
      const anonymous = await app.inject({ method: 'POST', url: '/users/me/password', payload: { current_password: frank.password, new_password: NEW_PASSWORD } })
      t.equal(anonymous.statusCode, 401)
      t.equal(anonymous.headers['www-authenticate'], 'Bearer realm="tollgate"')
    })

    t.test('a token whose subject is no user is 404', async (t) => {
      const { token } = app.tokens.issue({ id: randomUUID(), roles: [] })
      const response = await change(app, token, { current_password: 'whatever it was', new_password: NEW_PASSWORD })
      t.equal(response.statusCode, 404)
      t.match(response.json(), { code: 'ERR_USER_NOT_FOUND' })
    })
  })
}

t.test('successful logins and password changes never use up the login throttle', async (t) => {
  const app = await build(t, { LOGIN_RATE_LIMIT: '2' })
  const grace = await createUser(app, 'grace')
  let password = grace.password
  for (let i = 0; i < 3; i++) {
    const { access_token: token } = await loginPair(app, { ...grace, password })
    const next = `${NEW_PASSWORD} ${i}`
    t.equal((await change(app, token, { current_password: password, new_password: next })).statusCode, 204, `change ${i + 1} after login ${i + 1}`)
    password = next
  }
  t.equal(await loginStatus(app, 'grace', password), 200, 'three logins and three changes against a budget of two failures')
})

t.test('wrong current passwords count against the login throttle for that username', async (t) => {
  const app = await build(t, { LOGIN_RATE_LIMIT: '3' })
  const grace = await createUser(app, 'grace')
  const { access_token: token } = await loginPair(app, grace)
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await change(app, token, { current_password: `guess number ${i}`, new_password: NEW_PASSWORD })).statusCode)
  // The login above succeeded, so it spent nothing: three failures a minute, then 429.
  t.same(statuses, [400, 400, 400, 429], 'the fourth guess after three failures is throttled')
  const throttled = await change(app, token, { current_password: grace.password, new_password: NEW_PASSWORD })
  t.equal(throttled.statusCode, 429, 'even the right password waits')
  t.match(throttled.headers['retry-after'], /^\d+$/)
  t.equal(await loginStatus(app, 'grace', grace.password), 429, 'and so does a login with that username')
})
