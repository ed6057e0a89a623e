import t from 'tap'
import { build, createUser, PASSWORD } from '../../helper.js'

t.test('PASSWORD_GRANT=false refuses the password grant and /auth/login, and the metadata says so', async (t) => {
  const app = await build(t, { PASSWORD_GRANT: 'false' })
  await createUser(app, 'alice')
  const token = await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'password', username: 'alice', password: PASSWORD } })
  t.equal(token.statusCode, 400)
  t.match(token.json(), { error: 'unsupported_grant_type', code: 'ERR_UNSUPPORTED_GRANT_TYPE' })
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: PASSWORD } })
  t.equal(login.statusCode, 400)
  t.match(login.json(), { code: 'ERR_UNSUPPORTED_GRANT_TYPE', message: /PASSWORD_GRANT=false/ })
  const metadata = (await app.inject({ url: '/.well-known/oauth-authorization-server' })).json()
  t.same(metadata.grant_types_supported, ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'])
})

t.test('the metadata describes the authorization code flow (RFC 8414, RFC 7636, RFC 9207)', async (t) => {
  const app = await build(t)
  const metadata = (await app.inject({ url: '/.well-known/oauth-authorization-server' })).json()
  t.match(metadata, {
    authorization_endpoint: `${metadata.issuer}/auth/authorize`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    grant_types_supported: ['password', 'authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange']
  })
  t.ok(metadata.token_endpoint_auth_methods_supported.includes('none'), 'public clients')
  t.notOk(metadata.introspection_endpoint_auth_methods_supported.includes('none'), 'introspection still needs a client')
})
