import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp } from '../../app.js'
import { tollgateAuth } from '../../auth.js'
import { bearer, createUser, login, testEnv } from '../helper.js'
import { accessClaims, signToken } from '../support/forge.js'
import { TOLLGATE_CLAIMS } from './running-tollgate.js'

const SECRET = 'a-relying-service-secret-of-at-least-32-bytes'
const token = (scope = '') => signToken(accessClaims({ scope }), {}, { alg: 'HS256', secret: SECRET })
const reply = async () => ({ served: true })
const READ = { scopes: ['reports:read'] }

/** The status of each URL without a token, with a token lacking `reports:read`, and with one holding it. */
async function statuses (app: FastifyInstance, url: string): Promise<[number, number, number]> {
  const get = async (headers: Record<string, string>) => (await app.inject({ url, headers })).statusCode
  return [await get({}), await get(bearer(token())), await get(bearer(token('reports:read')))]
}

t.test('tollgateAuth on a bare app guards every route with config.auth, declared before or after it, in any context', async (t) => {
  const app = Fastify()
  t.after(() => app.close())
  app.get('/before', { config: { auth: true } }, reply)
  app.get('/before/scoped', { config: { auth: READ } }, reply)
  await app.register(async (child) => {
    // A hook of its own, added before the plugin exists: the guard still runs before the handler.
    child.addHook('onRequest', async () => {})
    child.get('/reports', { config: { auth: READ } }, reply)
    await child.register(async (grandchild) => {
      grandchild.get('/reports', { config: { auth: true } }, reply)
    }, { prefix: '/nested' })
  }, { prefix: '/early' })

  await app.register(tollgateAuth, { ...TOLLGATE_CLAIMS, secret: SECRET, algorithm: 'HS256' })

  app.get('/after', { config: { auth: true } }, reply)
  app.get('/open', reply)
  app.get('/public', { config: { auth: false } }, reply)
  await app.register(async (child) => {
    child.get('/reports', { config: { auth: READ } }, reply)
  }, { prefix: '/late' })
  await app.ready()

  const anyToken = [401, 200, 200]
  const readToken = [401, 403, 200]
  t.same(await statuses(app, '/before'), anyToken, 'a root route declared before the plugin')
  t.same(await statuses(app, '/before/scoped'), readToken)
  t.same(await statuses(app, '/early/reports'), readToken, 'a route of a child context made before the plugin')
  t.same(await statuses(app, '/early/nested/reports'), anyToken, 'and of a context inside it')
  t.same(await statuses(app, '/after'), anyToken, 'a root route declared after it')
  t.same(await statuses(app, '/late/reports'), readToken, 'a route of a child context made after it')
  t.same(await statuses(app, '/open'), [200, 200, 200], 'a route without config.auth stays public')
  t.same(await statuses(app, '/public'), [200, 200, 200])

  const refused = await app.inject({ url: '/before' })
  t.equal(refused.headers['www-authenticate'], 'Bearer realm="tollgate"')
  t.equal(refused.json().code, 'ERR_TOKEN_MISSING')
  const head = await app.inject({ method: 'HEAD', url: '/early/reports' })
  t.equal(head.statusCode, 401, 'the HEAD route Fastify adds is guarded like its GET')
})

t.test('registered inside a prefixed context, tollgateAuth guards that context\'s routes declared before it', async (t) => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(async (api) => {
    api.get('/reports', { config: { auth: READ } }, reply)
    await api.register(tollgateAuth, { ...TOLLGATE_CLAIMS, secret: SECRET, algorithm: 'HS256' })
  }, { prefix: '/api' })
  await app.ready()
  t.same(await statuses(app, '/api/reports'), [401, 403, 200])
})

t.test('a config.auth that is neither true, false nor { roles, scopes } never serves the route', async (t) => {
  const mistakes: unknown[] = ['admin', { roles: 'admin' }, { scope: ['reports:read'] }, ['reports:read'], 1, null]
  for (const auth of mistakes) {
    const after = Fastify()
    t.after(() => after.close())
    await after.register(tollgateAuth, { ...TOLLGATE_CLAIMS, secret: SECRET, algorithm: 'HS256' })
    t.throws(() => after.get('/reports', { config: { auth: auth as boolean } }, reply),
      { name: 'TypeError', message: /^GET \/reports: config\.auth must be true, false or \{ roles\?: string\[\], scopes\?: string\[\], actors\?: string\[\] \}/ },
      `declared after the plugin, ${JSON.stringify(auth)} is refused at once, naming the route`)

    const before = Fastify()
    t.after(() => before.close())
    let served = 0
    before.get('/reports', { config: { auth: auth as boolean } }, async () => ({ served: ++served }))
    await before.register(tollgateAuth, { ...TOLLGATE_CLAIMS, secret: SECRET, algorithm: 'HS256' })
    await before.ready()
    const response = await before.inject({ url: '/reports', headers: bearer(token('reports:read')) })
    t.equal(response.statusCode, 500, `declared before it, ${JSON.stringify(auth)} is an error on every request`)
    t.equal(served, 0)
  }
})

t.test('request.jwtVerify() is not offered: the guards are the one check', async (t) => {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(tollgateAuth, { ...TOLLGATE_CLAIMS, secret: SECRET, algorithm: 'HS256' })
  app.get('/probe', { config: { auth: true } }, async (request) => ({ jwtVerify: typeof (request as unknown as Record<string, unknown>).jwtVerify }))
  t.same((await app.inject({ url: '/probe', headers: bearer(token()) })).json(), { jwtVerify: 'undefined' })
})

t.test('Tollgate guards routes added to it in any context, and every route it documents as secured', async (t) => {
  const app = await buildApp({ env: testEnv(), logger: false })
  t.after(() => app.close())
  app.get('/extra', { config: { auth: { roles: ['auditor'] } } }, reply)
  await app.register(async (child) => {
    child.get('/reports', { config: { auth: true } }, reply)
  }, { prefix: '/plugin' })
  await app.ready()

  const alice = await login(app, await createUser(app, 'alice', ['auditor']))
  const bob = await login(app, await createUser(app, 'bob'))
  const status = async (url: string, headers = {}) => (await app.inject({ url, headers })).statusCode
  t.same([await status('/extra'), await status('/extra', bearer(bob)), await status('/extra', bearer(alice))], [401, 403, 200])
  t.same([await status('/plugin/reports'), await status('/plugin/reports', bearer(bob))], [401, 200])

  // Every operation the OpenAPI document lists as needing a Bearer token refuses a request without one.
  const { paths } = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>> }
  let secured = 0
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!(operation.security ?? []).some((requirement) => 'bearerAuth' in requirement)) continue
      secured++
      const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000')
      const response = await app.inject({ method: method.toUpperCase() as 'GET', url })
      t.equal(response.statusCode, 401, `${method.toUpperCase()} ${path}`)
    }
  }
  t.ok(secured >= 5, `${secured} secured operations were tried`)
})
