import t from 'tap'
import { buildApp } from '../../app.js'
import { bearer, createUser, login, testEnv } from '../helper.js'

const PASSWORDS = {
  admin: 'correct horse battery staple',
  created: 'first password of carol',
  wrongGuess: 'a guess never to be logged',
  changed: 'second password of carol',
  reset: 'third password of carol'
}

t.test('every account change is an audit event naming who, whom and what, and no password reaches a log', async (t) => {
  const lines: string[] = []
  const app = await buildApp({ env: testEnv(), logger: { level: 'info', stream: { write: (line: string) => { lines.push(line) } } } })
  t.after(() => app.close())
  await app.ready()
  const admin = await createUser(app, 'root', ['admin'], PASSWORDS.admin)
  const adminToken = await login(app, admin)
  const asAdmin = { headers: bearer(adminToken) }

  const created = await app.inject({ method: 'POST', url: '/admin/users', ...asAdmin, payload: { username: 'carol', password: PASSWORDS.created, roles: ['reader'] } })
  t.equal(created.statusCode, 201)
  const carolId: string = created.json().id
  const carolToken = await login(app, { username: 'carol', password: PASSWORDS.created })
  const otherSession = await login(app, { username: 'carol', password: PASSWORDS.created })
  const asCarol = { headers: bearer(carolToken) }
  const change = (current: string, next: string) => app.inject({ method: 'POST', url: '/users/me/password', ...asCarol, payload: { current_password: current, new_password: next } })
  t.equal((await change(PASSWORDS.wrongGuess, PASSWORDS.changed)).statusCode, 400)
  t.equal((await change(PASSWORDS.created, PASSWORDS.changed)).statusCode, 204)
  t.equal((await app.inject({ url: '/users/me', headers: bearer(otherSession) })).statusCode, 401)

  const [session] = (await app.inject({ url: '/users/me/sessions', ...asCarol })).json()
  const third = await login(app, { username: 'carol', password: PASSWORDS.changed })
  const sid = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sid
  t.equal((await app.inject({ method: 'DELETE', url: `/users/me/sessions/${sid(third)}`, ...asCarol })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: `/admin/sessions/${session.id}`, ...asAdmin })).statusCode, 204)
  t.equal((await app.inject({ method: 'PUT', url: `/admin/users/${carolId}/password`, ...asAdmin, payload: { password: PASSWORDS.reset } })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: `/admin/users/${carolId}`, ...asAdmin })).statusCode, 204)

  const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => typeof record.event === 'string' && record.event !== 'auth.login')
  t.match(events, [
    { event: 'admin.user.create', outcome: 'success', by: admin.id, userId: carolId, username: 'carol', roles: ['reader'] },
    { event: 'user.password.change', outcome: 'failure', reason: 'ERR_CURRENT_PASSWORD_WRONG', by: carolId, userId: carolId, level: 40 },
    { event: 'user.password.change', outcome: 'success', by: carolId, userId: carolId, sessionsEnded: 1 },
    { event: 'user.session.end', outcome: 'success', by: carolId, userId: carolId, sessionId: sid(third) },
    { event: 'admin.session.end', outcome: 'success', by: admin.id, userId: carolId, sessionId: session.id },
    { event: 'admin.user.password', outcome: 'success', by: admin.id, userId: carolId, username: 'carol' },
    { event: 'admin.user.delete', outcome: 'success', by: admin.id, userId: carolId, username: 'carol' }
  ])
  t.equal(events.length, 7, 'one event for each change, and no other')
  const log = lines.join('')
  for (const [name, password] of Object.entries(PASSWORDS)) t.notOk(log.includes(password), `the ${name} password is not logged`)
})
