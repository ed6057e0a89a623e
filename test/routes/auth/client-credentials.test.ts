import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { hashClientSecret } from '../../../src/clients/client-secrets.js'
import { bearer, build } from '../../helper.js'
import { tokenRequest } from '../../support/client-assertions.js'
import { decodeJwt, TEST_ISSUER } from '../../support/forge.js'

const SECRET = 'a+b:c%'
const BASIC_CHALLENGE = 'Basic realm="tollgate"'

/** RFC 6749 §2.3.1: id and secret are form-encoded, then joined by a colon and base64-encoded. */
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}`

async function withClient (t: Test, scopes = ['users:read', 'reports:write']) {
  const app = await build(t)
  await app.clients.repository.create({ id: 'billing', secretHash: hashClientSecret(SECRET), scopes })
  return app
}

function assertRefused (t: Test, response: LightMyRequestResponse, statusCode: number, error: string): void {
  t.equal(response.statusCode, statusCode, error)
  t.equal(response.json().error, error)
  t.equal(response.headers['cache-control'], 'no-store')
  if (statusCode === 401) t.equal(response.headers['www-authenticate'], BASIC_CHALLENGE)
  else t.notOk(response.headers['www-authenticate'])
}

t.test('a client authenticating in the body gets a scoped access token and no refresh token', async (t) => {
  const app = await withClient(t)
  const response = await tokenRequest(app, { grant_type: 'client_credentials', client_id: 'billing', client_secret: SECRET, scope: 'users:read' })

  t.equal(response.statusCode, 200)
  t.equal(response.headers['cache-control'], 'no-store')
  const body = response.json()
  t.same(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type'])
  t.match(body, { token_type: 'Bearer', expires_in: 900, scope: 'users:read' })
  const { payload } = decodeJwt(body.access_token)
  t.match(payload, { sub: 'billing', client_id: 'billing', roles: [], scope: 'users:read', iss: TEST_ISSUER, aud: 'tollgate-api' })
  t.notOk('sid' in payload, 'no login session behind a client token')
})

t.test('HTTP Basic works with a secret that has to be form-encoded', async (t) => {
  const app = await withClient(t)
  const response = await tokenRequest(app, { grant_type: 'client_credentials' }, basic('billing', SECRET))
  t.equal(response.statusCode, 200)
  t.equal(decodeJwt(response.json().access_token).payload.sub, 'billing')

  // A client that forgot to form-encode: "+" decodes to a space and "%" is no escape, so it fails cleanly.
  const raw = await tokenRequest(app, { grant_type: 'client_credentials' }, `Basic ${Buffer.from(`billing:${SECRET}`).toString('base64')}`)
  assertRefused(t, raw, 401, 'invalid_client')
})

t.test('JSON bodies are accepted too', async (t) => {
  const app = await withClient(t)
  const response = await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'client_credentials', client_id: 'billing', client_secret: SECRET } })
  t.equal(response.statusCode, 200)
})

t.test('a wrong secret, an unknown client and a disabled client get the same 401 invalid_client', async (t) => {
  const app = await withClient(t)
  await app.clients.repository.create({ id: 'retired', secretHash: hashClientSecret(SECRET), scopes: [] })
  t.ok(await app.clients.repository.update('retired', { disabled: true }))

  const answers = [
    await tokenRequest(app, { grant_type: 'client_credentials', client_id: 'billing', client_secret: 'wrong' }),
    await tokenRequest(app, { grant_type: 'client_credentials' }, basic('billing', 'a+b:c')),
    await tokenRequest(app, { grant_type: 'client_credentials', client_id: 'nobody', client_secret: SECRET }),
    await tokenRequest(app, { grant_type: 'client_credentials' }, basic('nobody', SECRET)),
    await tokenRequest(app, { grant_type: 'client_credentials', client_id: 'retired', client_secret: SECRET }),
    await tokenRequest(app, { grant_type: 'client_credentials' }, basic('retired', SECRET))
  ]
  for (const response of answers) assertRefused(t, response, 401, 'invalid_client')
  t.equal(new Set(answers.map((response) => response.body)).size, 1, 'one body for every failure')
})

t.test('credentials in both the header and the body are an invalid_request', async (t) => {
  const app = await withClient(t)
  const both: Array<Record<string, string>> = [{ client_id: 'billing', client_secret: SECRET }, { client_id: 'billing' }, { client_secret: SECRET }]
  for (const fields of both) {
    const response = await tokenRequest(app, { grant_type: 'client_credentials', ...fields }, basic('billing', SECRET))
    assertRefused(t, response, 400, 'invalid_request')
  }
})

t.test('missing or malformed client credentials get 401 invalid_client', async (t) => {
  const app = await withClient(t)
  const cases: Array<[string, Record<string, string>, string | undefined]> = [
    ['no credentials at all', {}, undefined],
    ['an id without a secret', { client_id: 'billing' }, undefined],
    ['a secret without an id', { client_secret: SECRET }, undefined],
    ['an empty Basic pair', {}, 'Basic Og=='],
    ['Basic without a colon', {}, `Basic ${Buffer.from('billing').toString('base64')}`],
    ['Basic with an empty id', {}, `Basic ${Buffer.from(`:${SECRET}`).toString('base64')}`],
    ['Basic that is not base64', {}, 'Basic !!!'],
    ['a bad percent escape', {}, `Basic ${Buffer.from('bill%zzing:x').toString('base64')}`]
  ]
  for (const [name, fields, authorization] of cases) {
    t.test(name, async (t) => {
      assertRefused(t, await tokenRequest(app, { grant_type: 'client_credentials', ...fields }, authorization), 401, 'invalid_client')
    })
  }
})

t.test('the token carries the requested subset of the allowed scopes, or all of them when none is asked for', async (t) => {
  const app = await withClient(t)
  const scopeOf = async (scope?: string) => {
    const response = await tokenRequest(app, { grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) }, basic('billing', SECRET))
    t.equal(response.statusCode, 200, `scope ${String(scope)}`)
    const { scope: granted } = response.json()
    t.equal(decodeJwt(response.json().access_token).payload.scope, granted ?? '', 'the token has the scope the answer reports')
    return granted
  }
  t.equal(await scopeOf(), 'users:read reports:write')
  t.equal(await scopeOf('reports:write'), 'reports:write')
  t.equal(await scopeOf('reports:write users:read'), 'reports:write users:read')
  t.equal(await scopeOf('users:read  users:read'), 'users:read', 'repeated and extra spaces collapse')

  for (const scope of ['admin', 'users:read admin', 'users:write']) {
    const response = await tokenRequest(app, { grant_type: 'client_credentials', scope }, basic('billing', SECRET))
    assertRefused(t, response, 400, 'invalid_scope')
  }
})

t.test('a client with no scopes gets a token without any', async (t) => {
  const app = await withClient(t, [])
  const response = await tokenRequest(app, { grant_type: 'client_credentials' }, basic('billing', SECRET))
  t.equal(response.statusCode, 200)
  t.notOk('scope' in response.json())
  t.equal(decodeJwt(response.json().access_token).payload.scope, '')
})

t.test('the password grant ignores the empty Basic pair Swagger UI sends with it', async (t) => {
  const app = await build(t)
  await app.users.create({ username: 'alice', passwordHash: await app.passwords.hash('correct horse battery staple'), roles: [] })
  const response = await tokenRequest(app, { grant_type: 'password', username: 'alice', password: 'correct horse battery staple' }, 'Basic Og==')
  t.equal(response.statusCode, 200)
  t.ok(response.json().refresh_token)
  t.equal((await app.inject({ url: '/users/me', headers: bearer(response.json().access_token) })).statusCode, 200)
})
