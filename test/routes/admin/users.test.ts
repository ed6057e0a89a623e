import t from 'tap'
import { bearer, build, createUser, login } from '../../helper.js'

async function setup (t: Parameters<typeof build>[0]) {
  const app = await build(t)
  const admin = await createUser(app, 'root', ['admin'])
  const alice = await createUser(app, 'alice', ['reader'])
  const adminToken = await login(app, admin)
  const patch = (id: string, payload: unknown) =>
    app.inject({ method: 'PATCH', url: `/admin/users/${id}`, headers: bearer(adminToken), payload: payload as object })
  return { app, admin, alice, adminToken, patch }
}

t.test('an admin lists every user, without any hash', async (t) => {
  const { app, admin, alice, adminToken } = await setup(t)
  const response = await app.inject({ url: '/admin/users', headers: bearer(adminToken) })
  t.equal(response.statusCode, 200)
  const users = response.json()
  t.same(users.map((user: { id: string }) => user.id).sort(), [admin.id, alice.id].sort())
  for (const user of users) {
    t.same(Object.keys(user).sort(), ['createdAt', 'disabled', 'id', 'roles', 'username'])
    t.ok(Number.isFinite(Date.parse(user.createdAt)), 'createdAt is a date')
  }
  t.match(users.find((user: { id: string }) => user.id === alice.id), { username: 'alice', roles: ['reader'], disabled: false })
  t.notMatch(response.body, /argon2|hash/i)
})

t.test('a user without the admin role gets 403 insufficient_scope, and no token gets 401', async (t) => {
  const { app, alice } = await setup(t)
  const token = await login(app, alice)
  for (const request of [{ method: 'GET' as const, url: '/admin/users' }, { method: 'PATCH' as const, url: `/admin/users/${alice.id}`, payload: { roles: ['admin'] } }]) {
    const forbidden = await app.inject({ ...request, headers: bearer(token) })
    t.equal(forbidden.statusCode, 403, `${request.method} with a reader token`)
    t.equal(forbidden.headers['www-authenticate'], 'Bearer realm="tollgate", error="insufficient_scope"')
    t.match(forbidden.json(), { statusCode: 403, error: 'Forbidden' })

    const anonymous = await app.inject(request)
    t.equal(anonymous.statusCode, 401)
    t.equal(anonymous.headers['www-authenticate'], 'Bearer realm="tollgate"')
  }
  t.same((await app.users.findById(alice.id))?.roles, ['reader'], 'the refused PATCH changed nothing')
})

t.test('disabling a user ends their token at once and refuses their login', async (t) => {
  const { app, alice, patch } = await setup(t)
  const token = await login(app, alice)
  t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 200)

  const response = await patch(alice.id, { disabled: true })
  t.equal(response.statusCode, 200)
  t.match(response.json(), { id: alice.id, username: 'alice', roles: ['reader'], disabled: true })

  const me = await app.inject({ url: '/users/me', headers: bearer(token) })
  t.equal(me.statusCode, 401, 'the existing token is refused right away')
  t.match(me.headers['www-authenticate'], /error="invalid_token"/)
  const again = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: alice.password } })
  t.equal(again.statusCode, 401, 'and login fails')

  t.match((await patch(alice.id, { disabled: false })).json(), { disabled: false })
  const back = await login(app, alice)
  t.equal((await app.inject({ url: '/users/me', headers: bearer(back) })).statusCode, 200, 'enabled again, a new login works')
  t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401, 'the old token stays refused')
})

t.test('changing roles ends current tokens; a new login carries the new roles', async (t) => {
  const { app, alice, patch } = await setup(t)
  const token = await login(app, alice)

  const response = await patch(alice.id, { roles: ['writer', 'auditor', 'writer'] })
  t.equal(response.statusCode, 200)
  t.same(response.json().roles, ['writer', 'auditor'])

  t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401, 'the token with the old roles stops working')
  const fresh = await login(app, alice)
  const [, payload = ''] = fresh.split('.')
  t.same(JSON.parse(Buffer.from(payload, 'base64url').toString()).roles, ['writer', 'auditor'])
  const me = await app.inject({ url: '/users/me', headers: bearer(fresh) })
  t.equal(me.statusCode, 200)
  t.same(me.json().roles, ['writer', 'auditor'])
})

t.test('granting admin lets the user in; taking it away shuts them out', async (t) => {
  const { app, alice, patch } = await setup(t)
  await patch(alice.id, { roles: ['admin'] })
  const token = await login(app, alice)
  t.equal((await app.inject({ url: '/admin/users', headers: bearer(token) })).statusCode, 200)
  await patch(alice.id, { roles: [] })
  t.equal((await app.inject({ url: '/admin/users', headers: bearer(token) })).statusCode, 401, 'the old admin token is ended')
  const after = await login(app, alice)
  t.equal((await app.inject({ url: '/admin/users', headers: bearer(after) })).statusCode, 403)
})

t.test('PATCH of an id no user has is 404', async (t) => {
  const { patch } = await setup(t)
  for (const body of [{ disabled: true }, { roles: ['reader'] }, { roles: ['reader'], disabled: false }]) {
    const response = await patch('00000000-0000-4000-8000-000000000000', body)
    t.equal(response.statusCode, 404, JSON.stringify(body))
    t.match(response.json(), { statusCode: 404, error: 'Not Found' })
  }
})

t.test('PATCH with nothing to change, unknown fields, bad role names or a bad id is 400', async (t) => {
  const { app, alice, patch } = await setup(t)
  const bodies: unknown[] = [
    {},
    { nickname: 'al' },
    { disable: true },
    { roles: ['reader'], disabled: true, extra: 1 },
    { roles: ['has space'] },
    { roles: [''] },
    { roles: ['x'.repeat(65)] },
    { roles: [{ name: 'admin' }] },
    { disabled: 'yes please' },
    { roles: Array.from({ length: 33 }, (_, i) => `role${i}`) }
  ]
  for (const body of bodies) {
    const response = await patch(alice.id, body)
    t.equal(response.statusCode, 400, JSON.stringify(body).slice(0, 60))
    t.match(response.json(), { statusCode: 400, error: 'Bad Request' })
  }
  t.equal((await patch('not-a-uuid', { disabled: true })).statusCode, 400, 'an id that is not a uuid')
  const empty = await app.inject({ method: 'PATCH', url: `/admin/users/${alice.id}`, headers: { ...bearer(await login(app, { username: 'root', password: 'correct horse battery staple' })) } })
  t.equal(empty.statusCode, 400, 'no body at all')
  t.match(await app.users.findById(alice.id), { roles: ['reader'], disabled: false }, 'nothing was changed')
})

t.test('the only enabled admin cannot delete, demote or disable themselves: 409 ERR_LAST_ADMIN, and nothing changes', async (t) => {
  const { app, admin, alice, adminToken, patch } = await setup(t)
  const remove = (id: string, token = adminToken) => app.inject({ method: 'DELETE', url: `/admin/users/${id}`, headers: bearer(token) })
  const refusals = [
    await remove(admin.id),
    await patch(admin.id, { roles: ['reader'] }),
    await patch(admin.id, { roles: [] }),
    await patch(admin.id, { disabled: true })
  ]
  for (const response of refusals) {
    t.equal(response.statusCode, 409, response.body)
    t.match(response.json(), { statusCode: 409, code: 'ERR_LAST_ADMIN', message: /only enabled admin/ })
  }
  t.match((await app.inject({ url: '/users/me', headers: bearer(adminToken) })).json(), { roles: ['admin'] }, 'still an admin, still signed in')

  // With a second admin, either may go.
  t.same((await patch(alice.id, { roles: ['admin'] })).json().roles, ['admin'])
  t.equal((await patch(admin.id, { disabled: true })).statusCode, 200, 'another enabled admin remains')
  const aliceToken = await login(app, alice)
  t.equal((await remove(alice.id, aliceToken)).statusCode, 409, 'and now alice is the only enabled admin')
  t.equal((await app.inject({ method: 'PATCH', url: `/admin/users/${admin.id}`, headers: bearer(aliceToken), payload: { disabled: false } })).statusCode, 200)
  t.equal((await remove(alice.id, aliceToken)).statusCode, 204, 'root is enabled again, so alice may delete herself')
})
