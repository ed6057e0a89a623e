import { readFileSync } from 'node:fs'
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

t.test('a body too large, a multipart body, a bad percent-escape and a feed asked for JSON answer with codes from the table', async (t) => {
  const app = await build(t)
  const form = { 'content-type': 'application/x-www-form-urlencoded' }
  const huge = await app.inject({ method: 'POST', url: '/auth/token', headers: form, payload: `grant_type=password&username=${'a'.repeat(1_100_000)}` })
  t.equal(huge.statusCode, 413)
  t.match(huge.json(), { statusCode: 413, code: 'ERR_BODY_TOO_LARGE', error: 'invalid_request' }, 'RFC 6749\'s error name, the status of the fault')

  const multipart = await app.inject({
    method: 'POST',
    url: '/auth/token',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    payload: '--x\r\ncontent-disposition: form-data; name="grant_type"\r\n\r\npassword\r\n--x--\r\n'
  })
  t.equal(multipart.statusCode, 415)
  t.match(multipart.json(), { statusCode: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE', error: 'invalid_request' })

  for (const url of ['/users/%E0%A4%A', '/auth/%zz', '/%']) {
    const badUrl = await app.inject({ url })
    t.equal(badUrl.statusCode, 400, url)
    t.match(badUrl.json(), { statusCode: 400, code: 'ERR_INVALID_REQUEST' }, url)
  }

  const { secret = '' } = await app.clients.administration.add('follower', { permissions: ['revocations'] })
  const notAcceptable = await app.inject({
    url: '/auth/revocations',
    headers: { accept: 'application/json', authorization: `Basic ${Buffer.from(`follower:${secret}`).toString('base64')}` }
  })
  t.equal(notAcceptable.statusCode, 406)
  t.match(notAcceptable.json(), { statusCode: 406, code: 'ERR_NOT_ACCEPTABLE' })
})

t.test('the README lists every code an answer can carry, with its status', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  for (const code of HTTP_ERROR_CODES) {
    t.match(readme, new RegExp(`\\| \`${code}\` \\| ${(ERRORS as Record<string, { status?: number }>)[code]?.status ?? '?'} \\|`), code)
  }
})
