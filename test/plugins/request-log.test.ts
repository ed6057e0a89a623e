import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { buildApp } from '../../app.js'
import type { Environment } from '../../src/config/environment.js'
import { hashClientSecret } from '../../src/clients/client-secrets.js'
import { tokenRequest } from '../support/client-assertions.js'
import { bearer, testEnv } from '../helper.js'

const CLIENT_SECRET = 'request-log-client-secret-never-logged'
/** Long enough past SLOW_REQUEST_MS=10 that the slow route is slow on any machine. */
const SLOW_ROUTE_WAIT_MS = 60

/** The app the server runs, at info into `records`, with test routes that wait and that fail. */
async function buildLogged (t: Test, env: Environment = {}) {
  const lines: string[] = []
  const app = await buildApp({ env: testEnv({ LOG_LEVEL: 'info', ...env }), logger: { stream: { write: (line: string) => { lines.push(line) } } } })
  t.after(() => app.close())
  app.get('/test-only/slow/:id', async () => {
    await sleep(SLOW_ROUTE_WAIT_MS)
    return { ok: true }
  })
  app.get('/test-only/fail', async () => {
    throw new Error('a bug')
  })
  // A failure after the answer has gone: Fastify's own line about it stays whatever REQUEST_LOG says.
  app.get('/test-only/fails-after-answering', { onResponse: async () => { throw new Error('an onResponse hook failed') } }, async () => ({ ok: true }))
  app.get('/test-only/unavailable', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { statusCode: 503 })
  })
  await app.ready()
  await app.clients.repository.create({ id: 'billing', secretHash: hashClientSecret(CLIENT_SECRET), scopes: [] })
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>)
  return { app, lines, records }
}

const clientGrant = (app: Awaited<ReturnType<typeof buildLogged>>['app']) =>
  tokenRequest(app, { grant_type: 'client_credentials', client_id: 'billing', client_secret: CLIENT_SECRET })

t.test('by default a request answered in time writes nothing; a grant writes its audit line alone', async (t) => {
  const { app, records } = await buildLogged(t)
  t.equal((await app.inject({ url: '/health' })).statusCode, 200)
  t.equal((await app.inject({ url: '/auth/token', method: 'GET' })).statusCode, 404, 'a 4xx is no server error')
  const grant = await clientGrant(app)
  t.equal(grant.statusCode, 200)

  t.same(records().map((record) => record.msg), ['client token issued'], 'one line: the grant\'s audit event')
  t.match(records()[0], { event: 'auth.client', outcome: 'success', clientId: 'billing', level: 30 })
})

t.test('a request slower than SLOW_REQUEST_MS writes one warning: method, route, status and duration, nothing a client sent', async (t) => {
  const { app, lines, records } = await buildLogged(t, { SLOW_REQUEST_MS: '10' })
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzbG93In0.c2lnbmF0dXJlLW5ldmVyLWxvZ2dlZA'
  const response = await app.inject({ url: '/test-only/slow/path-id-never-logged?code=query-code-never-logged', headers: { ...bearer(token), 'x-trace': 'header-never-logged' } })
  t.equal(response.statusCode, 200)

  const slow = records().filter((record) => record.msg === 'slow request')
  t.equal(slow.length, 1, 'one line for the slow request')
  t.same(Object.keys(slow[0]!).sort(), ['durationMs', 'hostname', 'level', 'method', 'msg', 'pid', 'reqId', 'route', 'statusCode', 'time'])
  t.match(slow[0], { level: 40, method: 'GET', route: '/test-only/slow/:id', statusCode: 200, durationMs: Number })
  t.ok(Number(slow[0]!.durationMs) > 10, 'its duration is past the threshold')
  const log = lines.join('')
  for (const sent of ['path-id-never-logged', 'query-code-never-logged', token, 'header-never-logged']) t.notOk(log.includes(sent), `${sent} is not logged`)
})

t.test('a 5xx writes one warning beside the error handler\'s cause, under the same request id', async (t) => {
  const { app, records } = await buildLogged(t)
  for (const [url, statusCode] of [['/test-only/fail', 500], ['/test-only/unavailable', 503]] as const) {
    t.equal((await app.inject({ url })).statusCode, statusCode)
    const lines = records().filter((record) => record.route === url)
    t.equal(lines.length, 1, `one line for the ${statusCode}`)
    t.match(lines[0], { level: 40, msg: 'server error', method: 'GET', statusCode, durationMs: Number })
    const cause = records().find((record) => record.reqId === lines[0]!.reqId && record.err !== undefined)
    t.ok(cause, 'the cause is logged under the same reqId')
  }
})

t.test('by default a response that fails after it was sent is still logged, as an error', async (t) => {
  const { app, records } = await buildLogged(t)
  t.equal((await app.inject({ url: '/test-only/fails-after-answering' })).statusCode, 200)
  t.same(records().map((record) => record.msg), ['request errored'])
  t.match(records()[0], { level: 50, err: { message: 'an onResponse hook failed' } })
})

t.test('an event stream open past SLOW_REQUEST_MS is not a slow request', async (t) => {
  const { app, records } = await buildLogged(t, { SLOW_REQUEST_MS: '10' })
  await app.clients.repository.create({ id: 'orders-api', secretHash: hashClientSecret(CLIENT_SECRET), scopes: [], permissions: ['revocations'] })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const credentials = Buffer.from(`orders-api:${CLIENT_SECRET}`).toString('base64')
  const follower = await fetch(`${url}/auth/revocations`, { headers: { accept: 'text/event-stream', authorization: `Basic ${credentials}` } })
  t.equal(follower.status, 200)
  const stream = follower.body!.getReader()
  t.match(new TextDecoder().decode((await stream.read()).value), /event: snapshot/)
  await sleep(SLOW_ROUTE_WAIT_MS)
  // Closing ends the stream from the server's side, as a shutdown does; the follower sees its end.
  await app.close()
  while (!(await stream.read()).done);
  t.same(records().filter((record) => record.msg === 'slow request'), [])
})

t.test('REQUEST_LOG=all writes Fastify\'s two lines for every request, as well', async (t) => {
  const { app, records } = await buildLogged(t, { REQUEST_LOG: 'all' })
  t.equal((await app.inject({ url: '/health' })).statusCode, 200)
  t.same(records().map((record) => record.msg), ['incoming request', 'request completed'])
  t.match(records()[0], { level: 30, req: { method: 'GET', url: '/health' } })
  t.match(records()[1], { level: 30, res: { statusCode: 200 }, responseTime: Number })
})

t.test('an invalid REQUEST_LOG or SLOW_REQUEST_MS stops the start, naming the variable', async (t) => {
  await t.rejects(buildApp({ env: testEnv({ REQUEST_LOG: 'everything' }), logger: false }),
    { name: 'ConfigError', variable: 'REQUEST_LOG', message: 'REQUEST_LOG must be one of errors, all' })
  for (const value of ['soon', '0', '1.5']) {
    await t.rejects(buildApp({ env: testEnv({ SLOW_REQUEST_MS: value }), logger: false }), { message: /SLOW_REQUEST_MS/ }, `SLOW_REQUEST_MS=${value}`)
  }
})
