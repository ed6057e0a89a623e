import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { bearer, build, createUser, login } from './helper.js'

interface Operation {
  security?: Array<Record<string, string[]>>
  responses: Record<string, { description?: string, content?: Record<string, { schema?: { $ref?: string } }> }>
}
type Paths = Record<string, Record<string, Operation>>

const METHODS = ['get', 'put', 'post', 'patch', 'delete']
const PUBLIC = ['POST /auth/login', 'POST /auth/token', 'GET /health', 'GET /.well-known/jwks.json']

/**
 * Every method and URL the router serves, read from `printRoutes` (Fastify 5 exposes no route list
 * once the app is ready), so a route missing from the OpenAPI document cannot go unnoticed.
 */
function routerRoutes (app: FastifyInstance): string[] {
  const routes: string[] = []
  const prefixes: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (match === null) continue
    const depth = (match[1] ?? '').length / 4
    const url = (prefixes[depth - 1] ?? '') + (match[2] ?? '')
    prefixes[depth] = url
    for (const method of (match[3] ?? '').split(', ').filter((m) => m !== '' && m !== 'HEAD')) routes.push(`${method} ${url}`)
  }
  return routes
}

const toOpenApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
const toUrl = (path: string): string => path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000')

function operations (paths: Paths): Array<{ key: string, method: string, path: string, operation: Operation }> {
  return Object.entries(paths).flatMap(([path, item]) => Object.entries(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, operation })))
}

async function setup (t: Test) {
  const app = await build(t)
  const response = await app.inject({ url: '/docs/json' })
  t.equal(response.statusCode, 200, 'GET /docs/json answers')
  const doc = response.json()
  return { app, doc, ops: operations(doc.paths as Paths) }
}

t.test('the document declares the bearer and OAuth2 schemes, the authorization code flow first', async (t) => {
  const { doc } = await setup(t)
  t.match(doc.openapi, /^3\./)
  t.match(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
  t.match(doc.components.securitySchemes.oauth2, {
    type: 'oauth2',
    flows: { authorizationCode: { authorizationUrl: '/auth/authorize', tokenUrl: '/auth/token' }, password: { tokenUrl: '/auth/token' } }
  })
  t.same(Object.keys(doc.components.securitySchemes.oauth2.flows), ['authorizationCode', 'password', 'clientCredentials'])
  t.equal(doc.security, undefined, 'no global requirement that public routes would inherit')
})

t.test('PASSWORD_GRANT=false leaves the password flow out', async (t) => {
  const app = await build(t, { PASSWORD_GRANT: 'false' })
  const doc = (await app.inject({ url: '/docs/json' })).json()
  t.same(Object.keys(doc.components.securitySchemes.oauth2.flows), ['authorizationCode', 'clientCredentials'])
})

t.test('every route the router serves is documented', async (t) => {
  const { app, ops } = await setup(t)
  const documented = new Set(ops.map((op) => op.key))
  // Swagger UI's own pages are the documentation, not part of it; the sign-in page is a page too.
  const served = routerRoutes(app).filter((route) => !route.includes(' /docs') && !route.endsWith(' /auth/authorize'))
  t.ok(served.length >= 6, `the router lists ${served.length} API routes`)
  for (const route of served) {
    const [method, url] = route.split(' ')
    t.ok(documented.has(`${method} ${toOpenApiPath(url ?? '')}`), `${route} is in /docs/json`)
  }
  for (const route of ['GET /users/me', 'GET /admin/users', 'PATCH /admin/users/{id}', ...PUBLIC]) {
    t.ok(documented.has(route), `${route} is documented`)
  }
})

/** Introspection, revocation and the revocation feed authenticate a client (HTTP Basic), not a user's access token. */
const isClientAuthenticated = (operation: Operation): boolean => operation.security?.some((requirement) => 'clientBasic' in requirement) === true

/** A client-authenticated route refuses a request without credentials with a Basic challenge, unless a client is optional there. */
async function assertClientChallenge (t: Test, app: FastifyInstance, key: string, method: string, path: string, operation: Operation): Promise<void> {
  // With its own method: the revocation feed is a GET, and a POST to it finds no route at all.
  const form = method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'token=x' } : {}
  const response = await app.inject({ method: method as 'GET' | 'POST', url: path, ...form })
  const optional = operation.security?.some((requirement) => Object.keys(requirement).length === 0) === true
  if (optional) t.equal(response.statusCode, 200, `${key}: a client is optional, and listed so`)
  else t.match(response.headers['www-authenticate'], /^Basic realm=/, `${key} refuses without client credentials`)
}

t.test('a route lists security exactly when it refuses a request without a token', async (t) => {
  const { app, ops } = await setup(t)
  let protectedCount = 0
  for (const { key, method, path, operation } of ops) {
    const response = await app.inject({ method: method as 'GET', url: toUrl(path) })
    const refuses = response.statusCode === 401 && response.headers['www-authenticate'] === 'Bearer realm="tollgate"'
    if (!refuses) {
      if (isClientAuthenticated(operation)) await assertClientChallenge(t, app, key, method, path, operation)
      else t.equal(operation.security, undefined, `${key} is public and lists no security`)
      continue
    }
    protectedCount++
    t.same(operation.security?.map((requirement) => Object.keys(requirement)).flat().sort(), ['bearerAuth', 'oauth2'], `${key} lists security`)
    t.equal(operation.responses['401']?.content?.['application/json']?.schema?.$ref, '#/components/schemas/Error', `${key} documents its 401`)
  }
  t.ok(protectedCount >= 3, `${protectedCount} protected operations found by asking the app`)
  for (const key of PUBLIC) {
    const op = ops.find((candidate) => candidate.key === key)
    t.ok(op !== undefined && op.operation.security === undefined, `${key} lists no security`)
  }
})

t.test('a route documents 403 exactly when a valid token without a role or scope is refused', async (t) => {
  const { app, ops } = await setup(t)
  const user = await createUser(app, 'plain', [])
  let withRoles = 0
  for (const { key, method, path, operation } of ops.filter((op) => op.operation.security !== undefined && !isClientAuthenticated(op.operation))) {
    // A fresh token each time: a route may end the token it is called with (a logout).
    const token = await login(app, user)
    const response = await app.inject({ method: method as 'GET', url: toUrl(path), headers: bearer(token), payload: method === 'GET' ? undefined : {} })
    const forbidden = response.statusCode === 403
    if (forbidden) withRoles++
    t.equal(operation.responses['403'] !== undefined, forbidden, `${key} ${forbidden ? 'documents' : 'does not document'} 403`)
    // A scope-guarded route also names the scope it needs (RFC 6750 §3).
    if (forbidden) t.match(response.headers['www-authenticate'], /^Bearer realm="tollgate", error="insufficient_scope"(, scope="[^"]+")?$/)
  }
  t.ok(withRoles >= 2, 'GET and PATCH /admin/users need a role')
})

t.test('a 404 answer\'s example in the document shows a 404 and its code, not the first code of the schema', async (t) => {
  const app = await build(t)
  const spec = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { example?: unknown }> }> }>> }
  const notFound = spec.paths['/admin/users/{id}']?.delete?.responses['404']
  t.match(notFound?.content?.['application/json']?.example, { statusCode: 404, error: 'Not Found', code: 'ERR_USER_NOT_FOUND', message: 'no user has this id' })
})
