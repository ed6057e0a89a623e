import t from 'tap'
import { buildApp } from '../../app.js'
import { bearer, build, createUser, login, testEnv } from '../helper.js'
import { parseSamples, sampleValue, scrape } from '../support/prometheus.js'
import { freshRedisPrefix, REDIS_URL } from '../support/stores.js'

t.test('scraping /metrics after a login and a protected request shows the counters moved', async (t) => {
  const app = await build(t)
  const url = await app.metrics!.listen({ port: 0 })
  const alice = await createUser(app)
  const before = await scrape(url)

  const token = await login(app, alice)
  t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 200)
  t.equal((await app.inject({ url: '/users/me' })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: 'not her password' } })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(token) })).statusCode, 204)
  t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401)

  const after = await scrape(url)
  const moved = (name: string, labels: Record<string, string> = {}) => sampleValue(after, name, labels) - sampleValue(before, name, labels)
  const requests = (route: string, status: number, method = 'GET') =>
    moved('tollgate_http_request_duration_seconds_count', { method, route, status_code: String(status) })

  t.equal(requests('/auth/login', 200, 'POST'), 1, 'the login is counted by route and status')
  t.equal(requests('/auth/login', 401, 'POST'), 1)
  t.equal(requests('/users/me', 200), 1, 'the protected request is counted by its route template')
  t.equal(requests('/users/me', 401), 2, 'so are the two refused ones')
  t.equal(moved('tollgate_tokens_issued_total', { grant: 'login' }), 1, 'one token issued by login')
  t.equal(moved('tollgate_logins_failed_total', { grant: 'login' }), 1, 'one failed login')
  t.equal(moved('tollgate_token_verifications_total', { outcome: 'verified' }) + moved('tollgate_token_verifications_total', { outcome: 'cached' }) +
    moved('tollgate_token_verifications_total', { outcome: 'remembered' }), 3, 'three tokens accepted: /users/me, logout, and the revoked one')
  t.equal(moved('tollgate_token_rejections_total', { reason: 'missing' }), 1, 'a request without a token')
  t.equal(moved('tollgate_token_rejections_total', { reason: 'revoked' }), 1, 'a request with the logged-out token')
  t.equal(moved('tollgate_revocations_applied_total', { kind: 'token', source: 'local' }), 1, 'the logout revoked the token here')
  t.ok(moved('tollgate_password_hashes_total') >= 2, 'both logins hashed a password')
  t.equal(sampleValue(after, 'tollgate_password_hash_queue_length'), 0, 'nothing waits to be hashed now')
  t.equal(sampleValue(after, 'tollgate_dependency_up', { dependency: 'database' }), 1, 'the database is up')
  t.notOk(parseSamples(after).some((sample) => sample.labels.dependency === 'redis'), 'Redis is not configured, so not reported')
  t.ok(parseSamples(after).some((sample) => sample.name === 'tollgate_event_loop_delay_seconds' && sample.labels.quantile === '0.99'))
  t.ok(sampleValue(after, 'process_cpu_seconds_total') > 0)
})

t.test('token grants and refused refreshes are counted by grant and reason', async (t) => {
  const app = await build(t)
  const url = await app.metrics!.listen({ port: 0 })
  await app.clients.repository.create({ id: 'billing', secretHash: await app.passwords.hash('client-secret'), scopes: [] })
  const alice = await createUser(app)
  const token = (fields: Record<string, string>) => app.inject({
    method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString()
  })

  const password = await token({ grant_type: 'password', username: alice.username, password: alice.password })
  t.equal(password.statusCode, 200)
  const refreshToken: string = password.json().refresh_token
  t.equal((await token({ grant_type: 'refresh_token', refresh_token: refreshToken })).statusCode, 200)
  t.equal((await token({ grant_type: 'refresh_token', refresh_token: refreshToken })).statusCode, 400, 'a spent refresh token')
  t.equal((await token({ grant_type: 'client_credentials', client_id: 'billing', client_secret: 'client-secret' })).statusCode, 200)
  t.equal((await token({ grant_type: 'client_credentials', client_id: 'billing', client_secret: 'wrong' })).statusCode, 401)

  const text = await scrape(url)
  const value = (name: string, labels: Record<string, string>) => sampleValue(text, name, labels)
  t.equal(value('tollgate_tokens_issued_total', { grant: 'password' }), 1)
  t.equal(value('tollgate_tokens_issued_total', { grant: 'refresh_token' }), 1)
  t.equal(value('tollgate_tokens_issued_total', { grant: 'client_credentials' }), 1)
  t.equal(value('tollgate_refresh_refused_total', { reason: 'reused' }), 1, 'the reuse is visible as such')
  t.equal(value('tollgate_revocations_applied_total', { kind: 'session', source: 'local' }), 1, 'and it ended the session')
  t.equal(value('tollgate_logins_failed_total', { grant: 'client_credentials' }), 1)
})

t.test('throttled logins are counted by the budget they exhausted', async (t) => {
  // One attempt a minute per username, two per address.
  const app = await build(t, { LOGIN_RATE_LIMIT: '1' })
  const url = await app.metrics!.listen({ port: 0 })
  const attempt = (username: string) => app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: 'not the password' } })
  t.equal(sampleValue(await scrape(url), 'tollgate_logins_throttled_total', { by: 'username' }), 0, 'counted from the start, at 0')
  t.equal((await attempt('alice')).statusCode, 401)
  t.equal((await attempt('alice')).statusCode, 429, 'alice\'s budget is spent')
  t.equal((await attempt('bob')).statusCode, 429, 'and so is the address\'s')
  const text = await scrape(url)
  t.equal(sampleValue(text, 'tollgate_logins_throttled_total', { by: 'username' }), 1)
  t.equal(sampleValue(text, 'tollgate_logins_throttled_total', { by: 'address' }), 1)
})

t.test('with Redis configured, whether it answers is reported beside the database', async (t) => {
  const app = await build(t, { REDIS_URL, REDIS_PREFIX: await freshRedisPrefix(t) })
  const text = await scrape(await app.metrics!.listen({ port: 0 }))
  t.equal(sampleValue(text, 'tollgate_dependency_up', { dependency: 'redis' }), 1)
  t.equal(sampleValue(text, 'tollgate_dependency_up', { dependency: 'database' }), 1)
})

t.test('route labels are templates: an id in the URL or an unknown path never becomes a label', async (t) => {
  const app = await build(t)
  const url = await app.metrics!.listen({ port: 0 })
  await app.inject({ url: '/users/0b6f0d53-7d3c-4d42-9a1f-7c1b1b4d5e6f' })
  await app.inject({ url: '/wp-admin/setup.php?probe=1' })
  const samples = parseSamples(await scrape(url)).filter((sample) => sample.name === 'tollgate_http_request_duration_seconds_count')
  t.same(samples.map((sample) => sample.labels.route).sort(), ['/users/:id', 'unmatched'])
  t.match(samples.find((sample) => sample.labels.route === 'unmatched'), { labels: { method: 'GET', status_code: '404' }, value: 1 })
})

t.test('nothing is served at /metrics on the API port', async (t) => {
  const app = await build(t)
  await app.metrics!.listen({ port: 0 })
  const api = await app.listen({ host: '127.0.0.1', port: 0 })
  const response = await fetch(`${api}/metrics`)
  t.equal(response.status, 404)
  t.notMatch(await response.text(), /tollgate_|# TYPE/)
})

t.test('the metrics listener answers GET and HEAD /metrics only', async (t) => {
  const app = await build(t)
  const url = await app.metrics!.listen({ port: 0 })
  const got = await fetch(url)
  t.equal(got.status, 200)
  t.match(got.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const head = await fetch(url, { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(await head.text(), '')
  const post = await fetch(url, { method: 'POST' })
  t.equal(post.status, 405)
  t.equal(post.headers.get('allow'), 'GET, HEAD')
  t.equal((await fetch(new URL('/users/me', url))).status, 404, 'the API is not on the metrics listener either')
  t.equal(await app.metrics!.listen(), url, 'listening again gives the same listener')
})

t.test('METRICS_PORT=0 turns metrics off: nothing is counted and nothing listens', async (t) => {
  const app = await build(t, { METRICS_PORT: '0' })
  t.equal(app.metrics, undefined)
  const alice = await createUser(app)
  t.equal((await app.inject({ url: '/users/me', headers: bearer(await login(app, alice)) })).statusCode, 200)
})

t.test('a bad METRICS_PORT is refused, naming the variable', async (t) => {
  for (const port of ['metrics', '70000', '-1', '94.64']) {
    await t.rejects(buildApp({ env: testEnv({ METRICS_PORT: port }), logger: false }), /METRICS_PORT/, `METRICS_PORT=${port}`)
  }
  await t.rejects(buildApp({ env: testEnv({ PORT: '9100', METRICS_PORT: '9100' }), logger: false }),
    /METRICS_PORT must differ from PORT/, 'the API port is refused')
})
