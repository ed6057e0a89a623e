import t from 'tap'
import { ERRORS, HTTP_ERROR_CODES } from '@tollgate/auth/errors'
import { build, createUser, login } from './helper.js'

type Paths = Record<string, Record<string, unknown>>

const METHODS = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE']
const ID = '00000000-0000-4000-8000-000000000000'

/** What a client can get wrong on any route: no token, a forged one, a body of every bad kind. */
function badRequests (token: string): Array<{ name: string, headers: Record<string, string>, payload?: string }> {
  return [
    { name: 'no token and no body', headers: {} },
    { name: 'a forged token', headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' } },
    { name: 'a token without the role, and an empty JSON object', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{}' },
    { name: 'malformed JSON', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{"a":' },
    { name: 'an unsupported media type', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, payload: 'a,b' },
    { name: 'a form with nonsense fields', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=nonsense&username=' }
  ]
}

t.test('every error answer of every route carries a code from the one table, and its status agrees', async (t) => {
  const app = await build(t, { LOGIN_RATE_LIMIT: '1000000' })
  const user = await createUser(app, 'carol')
  const token = await login(app, user)
  const paths = (await app.inject({ url: '/docs/json' })).json().paths as Paths
  let errors = 0
  for (const [path, item] of Object.entries(paths)) {
    for (const method of Object.keys(item).map((m) => m.toUpperCase()).filter((m) => METHODS.includes(m))) {
      for (const request of badRequests(token)) {
        const response = await app.inject({ method: method as 'GET', url: path.replace(/\{[^}]+\}/g, ID), ...request })
        if (response.statusCode < 400) continue
        errors++
        const body = response.json()
        const where = `${method} ${path} with ${request.name}: ${response.body}`
        t.ok(HTTP_ERROR_CODES.includes(body.code), where)
        t.equal(body.statusCode, response.statusCode, where)
        t.equal((ERRORS as Record<string, { status?: number }>)[body.code]?.status ?? response.statusCode, response.statusCode, `${where}: the code's status`)
      }
    }
  }
  const missing = await app.inject({ url: '/no/such/route' })
  t.match(missing.json(), { statusCode: 404, code: 'ERR_NOT_FOUND' }, 'an unknown route too')
  t.ok(errors > 30, `${errors} error answers checked`)
})

t.test('the OpenAPI Error schema lists every code an answer can carry', async (t) => {
  const app = await build(t)
  const schemas = (await app.inject({ url: '/docs/json' })).json().components.schemas
  for (const name of ['Error', 'OAuthError']) {
    const codes = (schemas[name].properties.code.anyOf as Array<{ const?: string, enum?: string[] }>).flatMap((entry) => entry.enum ?? [entry.const])
    t.same(codes.sort(), [...HTTP_ERROR_CODES].sort(), name)
  }
})
