import Fastify from 'fastify'
import t, { type Test } from 'tap'
import tollgateAuth from '@tollgate/auth/plugin'
import type { Environment } from '../../../src/config/environment.js'
import { bearer, build } from '../../helper.js'
import { signingEnv, writeKeyPair } from '../../service/keys.js'
import { decodeJwt, TEST_ISSUER } from '../../support/forge.js'
import { tokenRequest } from '../../support/client-assertions.js'

const BILLING = 'https://billing.internal'

async function setup (t: Test, env: Environment = {}) {
  const app = await build(t, env)
  const { secret = '' } = await app.clients.administration.add('reporter', { scopes: ['reports:read'], audiences: [BILLING, 'reports-api'], tokenTtl: 300 })
  const grant = (fields: Record<string, string | string[]> = {}) =>
    tokenRequest(app, { grant_type: 'client_credentials', client_id: 'reporter', client_secret: secret, ...fields })
  return { app, grant }
}

t.test('without resource the token is for Tollgate, with the client\'s own lifetime', async (t) => {
  const { app, grant } = await setup(t)
  const response = await grant()
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.json().expires_in, 300)
  const { payload } = decodeJwt(response.json().access_token)
  t.match(payload, { aud: 'tollgate-api', client_id: 'reporter', scope: 'reports:read' })
  t.equal(Number(payload.exp) - Number(payload.iat), 300)
  t.equal((await app.inject({ url: '/users/me', headers: bearer(response.json().access_token) })).statusCode, 404, 'Tollgate accepts it (there is no user reporter)')
})

t.test('resource picks one of the client\'s audiences; Tollgate\'s own routes refuse such a token, the resource accepts it', async (t) => {
  const dir = t.testdir()
  const key = writeKeyPair(dir, 'ES256')
  const { app, grant } = await setup(t, signingEnv(key))
  const response = await grant({ resource: BILLING })
  t.equal(response.statusCode, 200, response.body)
  const token = response.json().access_token
  t.match(decodeJwt(token).payload, { aud: BILLING, sub: 'reporter', client_id: 'reporter', scope: 'reports:read' })

  const mine = await app.inject({ url: '/users/me', headers: bearer(token) })
  t.equal(mine.statusCode, 401, 'not for Tollgate\'s audience')
  t.match(mine.headers['www-authenticate'], /error="invalid_token"/)

  const billing = Fastify()
  t.after(() => billing.close())
  await billing.register(tollgateAuth, { publicKey: key.publicPem, algorithm: 'ES256', issuer: TEST_ISSUER, audience: BILLING })
  billing.get('/invoices', { config: { auth: { scopes: ['reports:read'] } } }, async (request) => ({ sub: request.user.sub }))
  const served = await billing.inject({ url: '/invoices', headers: bearer(token) })
  t.equal(served.statusCode, 200, served.body)
  t.same(served.json(), { sub: 'reporter' })
  const tollgateToken = (await grant()).json().access_token
  t.equal((await billing.inject({ url: '/invoices', headers: bearer(tollgateToken) })).statusCode, 401, 'a token for Tollgate is not one for billing')
})

t.test('a resource the client may not have, or several, is invalid_target', async (t) => {
  const { grant } = await setup(t)
  t.equal((await grant({ resource: 'reports-api' })).statusCode, 200, 'a name rather than a URI is an audience too')
  t.equal((await grant({ resource: 'tollgate-api' })).statusCode, 200, 'JWT_AUDIENCE is always allowed')
  t.equal((await grant({ resource: [BILLING, BILLING] })).statusCode, 200, 'the same resource twice is one')
  for (const resource of ['https://payroll.internal', `${BILLING}/`, '', [BILLING, 'reports-api']]) {
    const response = await grant({ resource })
    t.equal(response.statusCode, 400, JSON.stringify(resource))
    t.match(response.json(), { error: 'invalid_target', code: 'ERR_INVALID_TARGET' }, JSON.stringify(resource))
    t.equal(response.headers['cache-control'], 'no-store')
  }
})

t.test('a client without a lifetime of its own gets ACCESS_TOKEN_TTL; a change applies to the next token', async (t) => {
  const { app, grant } = await setup(t, { ACCESS_TOKEN_TTL: '120' })
  t.equal((await grant()).json().expires_in, 300)
  t.equal(await app.clients.administration.update('reporter', { tokenTtl: null }), true)
  t.equal((await grant()).json().expires_in, 120)
  t.equal(await app.clients.administration.update('reporter', { tokenTtl: 3600, audiences: ['https://payroll.internal'] }), true)
  t.equal((await grant({ resource: 'https://payroll.internal' })).json().expires_in, 3600)
  t.equal((await grant({ resource: BILLING })).json().error, 'invalid_target', 'the old audience is gone')
  t.equal(await app.clients.administration.update('nobody', { tokenTtl: 60 }), false)
})

t.test('lifetimes outside 60-3600 s and malformed audiences are refused', async (t) => {
  const app = await build(t)
  for (const tokenTtl of [0, 59, 3601, 90.5]) {
    await t.rejects(app.clients.administration.add('svc', { tokenTtl }), { code: 'ERR_INVALID_ARGUMENT', message: /60 to 3600/ }, String(tokenTtl))
  }
  for (const audience of ['', 'has space', 'a,b', 'x'.repeat(257), 'tab\there']) {
    await t.rejects(app.clients.administration.add('svc', { audiences: [audience] }), { code: 'ERR_INVALID_ARGUMENT', message: /audience/ }, JSON.stringify(audience))
  }
  await t.rejects(app.clients.administration.add('svc', { audiences: Array.from({ length: 17 }, (_, i) => `aud-${i}`) }), { message: /at most 16 audiences/ })
  t.same(await app.clients.repository.list(), [], 'nothing was created')
  await app.clients.administration.add('svc', { tokenTtl: 60, audiences: [BILLING] })
  await t.rejects(app.clients.administration.update('svc', { tokenTtl: 7200 }), { code: 'ERR_INVALID_ARGUMENT' })
})
