import t from 'tap'
import { bearer, build, createUser, login } from '../../helper.js'
import { loginPair, meStatus, refreshStatus } from '../../support/sessions.js'
import { stores } from '../../support/stores.js'

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'

for (const store of stores) {
  t.test(`an admin sees and ends any user's sessions on ${store.name}`, async (t) => {
    const { env, options } = await store.setup(t)
    const app = await build(t, env, options)
    const admin = await createUser(app, 'root', ['admin'])
    const adminToken = await login(app, admin)
    const alice = await createUser(app, 'alice')
    const kept = await loginPair(app, alice, 'Laptop/2.0')
    const ended = await loginPair(app, alice, 'Unknown/0.1')

    const listed = await app.inject({ url: `/admin/users/${alice.id}/sessions`, headers: bearer(adminToken) })
    t.equal(listed.statusCode, 200)
    const sessions = listed.json()
    t.same(sessions.map((s: { user_agent: string }) => s.user_agent).sort(), ['Laptop/2.0', 'Unknown/0.1'])
    t.ok(sessions.every((s: { current: boolean }) => !s.current), 'none of them is the admin\'s own')
    const target = sessions.find((s: { user_agent: string }) => s.user_agent === 'Unknown/0.1').id

    const response = await app.inject({ method: 'DELETE', url: `/admin/sessions/${target}`, headers: bearer(adminToken) })
    t.equal(response.statusCode, 204)
    t.equal(await meStatus(app, ended.access_token), 401, 'its access token is refused at once')
    t.equal(await refreshStatus(app, ended.refresh_token), 401, 'and its refresh token')
    t.equal(await meStatus(app, kept.access_token), 200, 'the user\'s other session goes on')

    const again = await app.inject({ method: 'DELETE', url: `/admin/sessions/${target}`, headers: bearer(adminToken) })
    t.equal(again.statusCode, 404)
    t.match(again.json(), { code: 'ERR_SESSION_NOT_FOUND' })
    const unknownUser = await app.inject({ url: `/admin/users/${UNKNOWN_ID}/sessions`, headers: bearer(adminToken) })
    t.equal(unknownUser.statusCode, 404)
    t.match(unknownUser.json(), { code: 'ERR_USER_NOT_FOUND' })

    const own = (await app.inject({ url: `/admin/users/${admin.id}/sessions`, headers: bearer(adminToken) })).json()
    t.match(own, [{ current: true }], 'the admin\'s own list marks the session in use')

    const userToken = kept.access_token
    t.equal((await app.inject({ url: `/admin/users/${alice.id}/sessions`, headers: bearer(userToken) })).statusCode, 403, 'a user may not list them')
    t.equal((await app.inject({ method: 'DELETE', url: `/admin/sessions/${target}`, headers: bearer(userToken) })).statusCode, 403, 'nor end one')
  })
}
