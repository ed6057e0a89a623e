import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { bearer, build, createUser, login } from '../../helper.js'

const form = (fields: Record<string, string>) => ({
  'content-type': 'application/x-www-form-urlencoded', payload: new URLSearchParams(fields).toString()
})
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` })

async function post (app: FastifyInstance, url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const { payload, ...type } = form(fields)
  return app.inject({ method: 'POST', url, headers: { ...type, ...headers }, payload })
}

async function clientToken (app: FastifyInstance, id: string, secret: string): Promise<string> {
  return (await post(app, '/auth/token', { grant_type: 'client_credentials' }, basic(id, secret))).json().access_token
}

t.test('introspection answers no-store, refuses a request without a token or a client, and counts per client', async (t) => {
  const app = await build(t, { INTROSPECTION_RATE_LIMIT: '3' })
  const { secret = '' } = await app.clients.administration.add('gateway', { permissions: ['introspect'] })
  const live = await post(app, '/auth/introspect', { token: await clientToken(app, 'gateway', secret) }, basic('gateway', secret))
  t.equal(live.statusCode, 200)
  t.equal(live.headers['cache-control'], 'no-store')
  t.match(live.json(), { active: true, client_id: 'gateway' })

  const missing = await post(app, '/auth/introspect', {}, basic('gateway', secret))
  t.equal(missing.statusCode, 400)
  t.match(missing.json(), { error: 'invalid_request', code: 'ERR_INVALID_REQUEST' })

  const anonymous = await post(app, '/auth/introspect', { token: 'x' })
  t.equal(anonymous.statusCode, 401)
  t.match(anonymous.json(), { error: 'invalid_client' })
  t.match(anonymous.headers['www-authenticate'], /^Basic /)

  // A client of its own, and four requests at once: the one-second window cannot end between them, as it
  // could between requests made one after another on a loaded machine.
  const { secret: burstSecret = '' } = await app.clients.administration.add('burst', { permissions: ['introspect'] })
  const burst = await Promise.all(Array.from({ length: 4 }, () => post(app, '/auth/introspect', { token: 'x' }, basic('burst', burstSecret))))
  t.same(burst.map((response) => response.statusCode).sort(), [200, 200, 200, 429], 'a budget of 3 a second per client')
})

t.test('revocation: a client revokes only its own tokens; a user token is revoked by presenting it', async (t) => {
  const app = await build(t)
  const { secret: secretOfA = '' } = await app.clients.administration.add('client-a', {})
  const { secret: secretOfB = '' } = await app.clients.administration.add('client-b', {})
  const tokenOfA = await clientToken(app, 'client-a', secretOfA)

  const anonymous = await post(app, '/auth/revoke', { token: tokenOfA })
  t.equal(anonymous.statusCode, 401, 'a client token needs its client')
  const other = await post(app, '/auth/revoke', { token: tokenOfA }, basic('client-b', secretOfB))
  t.equal(other.statusCode, 400)
  t.match(other.json(), { error: 'unauthorized_client', code: 'ERR_UNAUTHORIZED_CLIENT' })
  t.equal((await app.inject({ url: '/users/me', headers: bearer(tokenOfA) })).statusCode, 404, 'still live: the route answers, its client is no user')

  const own = await post(app, '/auth/revoke', { token: tokenOfA, token_type_hint: 'refresh_token' }, basic('client-a', secretOfA))
  t.equal(own.statusCode, 200)
  t.equal(own.headers['cache-control'], 'no-store')
  t.equal((await app.inject({ url: '/users/me', headers: bearer(tokenOfA) })).statusCode, 401, 'revoked, whatever the hint said')

  const user = await createUser(app, 'erin')
  const token = await login(app, user)
  t.equal((await post(app, '/auth/revoke', { token })).statusCode, 200)
  t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401)

  for (const junk of ['never-issued', 'a.b.c', 'x'.repeat(8192)]) t.equal((await post(app, '/auth/revoke', { token: junk })).statusCode, 200, 'unknown tokens: 200')
  t.equal((await post(app, '/auth/revoke', { token: 'x' }, basic('client-a', 'wrong'))).statusCode, 401, 'a wrong secret is still refused')
})

t.test('the metadata is served at the well-known path under the issuer\'s own path too (RFC 8414 §3)', async (t) => {
  const app = await build(t, { PUBLIC_URL: 'https://example.com/tollgate' })
  for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/oauth-authorization-server/tollgate']) {
    const response = await app.inject({ url })
    t.equal(response.statusCode, 200, url)
    t.match(response.json(), { issuer: 'https://example.com/tollgate', token_endpoint: 'https://example.com/tollgate/auth/token' })
  }
})

t.test('revocation answers 200 with an empty body (RFC 7009 §2.2), not JSON null', async (t) => {
  const app = await build(t)
  const revoked = await post(app, '/auth/revoke', { token: 'anything at all' })
  t.equal(revoked.statusCode, 200)
  t.equal(revoked.body, '')
})
