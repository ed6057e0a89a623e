import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { tollgateAuth, type RelyingServiceOptions } from '../../auth.js'
import { bearer } from '../helper.js'
import { accessClaims, signToken } from '../support/forge.js'

const SECRET = 'a-relying-service-secret-of-at-least-32-bytes'
const ISSUER = 'https://tollgate.example'

async function service (t: Test, options: Partial<RelyingServiceOptions>) {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(tollgateAuth, { issuer: ISSUER, audience: 'https://reports.example/api', secret: SECRET, algorithm: 'HS256', ...options } as RelyingServiceOptions)
  app.get('/api/reports', { config: { auth: { scopes: ['reports:read'] } } }, async () => ({ reports: [] }))
  await app.ready()
  return app
}

t.test('RFC 9728: the service publishes its metadata, naming Tollgate, and every 401 points at it', async (t) => {
  const app = await service(t, { protectedResource: { scopes: ['reports:read'], name: 'Reports' } })
  const metadata = await app.inject({ url: '/.well-known/oauth-protected-resource/api' })
  t.equal(metadata.statusCode, 200)
  t.match(metadata.headers['content-type'], /^application\/json/)
  t.same(metadata.json(), {
    resource: 'https://reports.example/api',
    authorization_servers: [ISSUER],
    bearer_methods_supported: ['header'],
    scopes_supported: ['reports:read'],
    resource_name: 'Reports'
  }, 'the resource is the audience by default, the authorization server the issuer')

  const pointer = 'resource_metadata="https://reports.example/.well-known/oauth-protected-resource/api"'
  const missing = await app.inject({ url: '/api/reports' })
  t.equal(missing.statusCode, 401)
  t.equal(missing.headers['www-authenticate'], `Bearer realm="tollgate", ${pointer}`)
  const forged = signToken(accessClaims({ iss: ISSUER, aud: 'https://reports.example/api' }), {}, { alg: 'HS256', secret: 'another-secret-of-at-least-32-bytes-long' })
  const invalid = await app.inject({ url: '/api/reports', headers: bearer(forged) })
  t.equal(invalid.headers['www-authenticate'], `Bearer realm="tollgate", error="invalid_token", error_description="The access token signature is invalid", ${pointer}`)
  const genuine = signToken(accessClaims({ iss: ISSUER, aud: 'https://reports.example/api' }), {}, { alg: 'HS256', secret: SECRET })
  const forbidden = await app.inject({ url: '/api/reports', headers: bearer(genuine) })
  t.equal(forbidden.statusCode, 403)
  t.match(forbidden.headers['www-authenticate'], /error="insufficient_scope", scope="reports:read", resource_metadata=/)
})

t.test('the well-known path follows the identifier\'s path (RFC 9728 §3.1), and both can be set', async (t) => {
  const root = await service(t, { protectedResource: { resource: 'https://reports.example/', authorizationServers: [ISSUER, 'https://other.example'] } })
  const response = await root.inject({ url: '/.well-known/oauth-protected-resource' })
  t.equal(response.statusCode, 200)
  t.match(response.json(), { resource: 'https://reports.example/', authorization_servers: [ISSUER, 'https://other.example'] })
  t.notOk('scopes_supported' in response.json())
  t.match((await root.inject({ url: '/api/reports' })).headers['www-authenticate'], 'resource_metadata="https://reports.example/.well-known/oauth-protected-resource"')
})

t.test('without the option nothing is published and challenges name no metadata', async (t) => {
  const app = await service(t, {})
  t.equal((await app.inject({ url: '/.well-known/oauth-protected-resource/api' })).statusCode, 404)
  t.equal((await app.inject({ url: '/api/reports' })).headers['www-authenticate'], 'Bearer realm="tollgate"')
})

t.test('an identifier RFC 9728 §1.2 does not allow stops the service at registration', async (t) => {
  const refused: Array<[string, RegExp]> = [
    ['reports', /must be a URL/],
    ['http://reports.example/api', /must be an https URL/],
    ['https://reports.example/api?tenant=1', /neither a query nor a fragment/],
    ['https://reports.example/api#top', /neither a query nor a fragment/]
  ]
  for (const [resource, message] of refused) {
    await t.rejects(service(t, { protectedResource: { resource } }), { name: 'TypeError', message }, resource)
  }
  const local = await service(t, { protectedResource: { resource: 'http://127.0.0.1:8080/api' } })
  t.equal((await local.inject({ url: '/.well-known/oauth-protected-resource/api' })).statusCode, 200, 'plain http on loopback, for development')
})
