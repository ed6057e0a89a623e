import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { buildApp } from '../app.js'
import { bearer, createUser, PASSWORD, TEST_SECRET, testEnv } from './helper.js'

const WRONG_PASSWORD = 'wrong-password-never-to-be-logged'

/** The app the server runs, logging at info into `lines`, with one route that fails the way a bug would. */
async function buildLogged (t: Test) {
  const lines: string[] = []
  const app = await buildApp({ env: testEnv(), logger: { level: 'info', stream: { write: (line: string) => { lines.push(line) } } } })
  t.after(() => app.close())
  app.get('/test-only/fail', async () => {
    throw new Error('database password=hunter2 leaked in /srv/tollgate/internal.ts')
  })
  app.get('/test-only/unavailable', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { statusCode: 503 })
  })
  app.get('/test-only/odd-status', async () => {
    throw Object.assign(new Error('a library set a status no HTTP client knows'), { statusCode: 1000 })
  })
  await app.ready()
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>)
  return { app, lines, records }
}

/** Every 12-character window of `text`: no fragment of it long enough to matter may reach a log. */
function fragments (text: string): string[] {
  const parts: string[] = []
  for (let i = 0; i + 12 <= text.length; i += 4) parts.push(text.slice(i, i + 12))
  return parts
}

t.test('logs carry audit events for logins and never a password, a token or the secret', async (t) => {
  const { app, lines, records } = await buildLogged(t)
  const alice = await createUser(app, 'alice', [], PASSWORD)

  const failed = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: WRONG_PASSWORD } })
  t.equal(failed.statusCode, 401)
  const failedGrant = await app.inject({
    method: 'POST',
    url: '/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'password', username: 'alice', password: WRONG_PASSWORD }).toString()
  })
  t.equal(failedGrant.statusCode, 400)
  const ok = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: PASSWORD } })
  t.equal(ok.statusCode, 200)
  const token: string = ok.json().access_token
  t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 200)
  const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(43)}`
  t.equal((await app.inject({ url: '/users/me', headers: bearer(forged) })).statusCode, 401)

  t.ok(lines.length > 0, `${lines.length} log lines captured`)
  const log = lines.join('')
  for (const secret of [PASSWORD, WRONG_PASSWORD, TEST_SECRET, token]) t.notOk(log.includes(secret), `${secret.slice(0, 12)}… is not logged`)
  const signature = token.slice(token.lastIndexOf('.') + 1)
  t.notOk(fragments(signature).some((part) => log.includes(part)), 'no part of the token signature is logged')
  t.notOk(/authorization/i.test(log) && log.includes('Bearer '), 'no Authorization header is logged')

  const audit = records().filter((record) => record.event === 'auth.login')
  const failures = audit.filter((record) => record.outcome === 'failure')
  const successes = audit.filter((record) => record.outcome === 'success')
  t.equal(failures.length, 2, 'both failed logins are audited')
  t.equal(successes.length, 1, 'the successful login is audited')
  for (const record of failures) t.match(record, { username: 'alice', grant: String, level: 40 })
  t.match(successes[0], { username: 'alice', userId: alice.id, grant: 'login', level: 30 })
  for (const record of audit) t.notOk('password' in record, 'an audit event has no password field')
})

t.test('a 5xx answers a generic message with no stack, and the cause is logged for operators', async (t) => {
  const { app, records } = await buildLogged(t)
  const response = await app.inject({ url: '/test-only/fail' })
  t.equal(response.statusCode, 500)
  t.same(response.json(), { statusCode: 500, error: 'Internal Server Error', message: 'Something went wrong on our side', code: 'ERR_INTERNAL' })
  for (const leak of ['hunter2', 'internal.ts', 'at ', 'stack']) t.notOk(response.body.includes(leak), `the answer does not contain "${leak}"`)

  const logged = records().find((record) => record.level === 50)
  t.ok(logged, 'the failure is logged at error level')
  t.match(logged, { msg: 'request failed', err: { message: /leaked/, stack: /internal/ } })
})

t.test('a dependency that is down answers 503 with a generic message; a nonsense status becomes 500', async (t) => {
  const { app } = await buildLogged(t)
  const unavailable = await app.inject({ url: '/test-only/unavailable' })
  t.equal(unavailable.statusCode, 503)
  t.same(unavailable.json(), { statusCode: 503, error: 'Service Unavailable', message: 'A service Tollgate depends on is unavailable, try again shortly', code: 'ERR_STORE_UNAVAILABLE' })
  t.notOk(unavailable.body.includes('10.0.0.7'), 'the address of the dependency is not revealed')

  const odd = await app.inject({ url: '/test-only/odd-status' })
  t.equal(odd.statusCode, 500)
  t.same(odd.json(), { statusCode: 500, error: 'Internal Server Error', message: 'Something went wrong on our side', code: 'ERR_INTERNAL' })
})

t.test('an upload the client aborts halfway is not taken for a store outage', async (t) => {
  const { app, records } = await buildLogged(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = new URL(address)
  for (const url of ['/auth/token', '/auth/login']) {
    const socket = connect(Number(port), '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(`POST ${url} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100000\r\n\r\ngrant_type=password&username=`)
    await sleep(50)
    socket.destroy()
  }
  await sleep(200)
  t.same(records().filter((record) => /store is unavailable/.test(String(record.msg))), [], 'no false outage warning')
  t.same(records().filter((record) => Number(record.level) >= 40), [], 'nothing at warn or above')
})
