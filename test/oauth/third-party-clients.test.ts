import { createRemoteJWKSet, exportSPKI, generateKeyPair, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import t, { type Test } from 'tap'
import { parseClientKey } from '../../src/clients/client-keys.js'
import { bearer, createUser, PASSWORD } from '../helper.js'
import { writeKeyPair } from '../service/keys.js'
import { startTollgate, type RunningTollgate } from '../service/running-tollgate.js'
import { freePort } from '../support/free-port.js'
import { ACCESS_TOKEN_URN, BILLING, EXCHANGE_GRANT, exchangingClient, LEDGER } from '../support/token-exchange.js'

/**
 * Tollgate as a client written elsewhere sees it: oauth4webapi finds every endpoint from the issuer URL
 * alone and checks each answer against the RFCs strictly; jose verifies the tokens from the JWKS.
 */
const insecure = { [oauth.allowInsecureRequests]: true }

interface Setup {
  tollgate: RunningTollgate
  issuer: URL
  as: oauth.AuthorizationServer
  client: oauth.Client
  secret: string
}

async function setup (t: Test): Promise<Setup> {
  const port = await freePort()
  const issuer = new URL(`http://127.0.0.1:${port}`)
  const key = writeKeyPair(t.testdir(), 'ES256')
  const tollgate = await startTollgate(t, { PUBLIC_URL: issuer.href, JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: key.privateFile }, port)
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }))
  const { secret = '' } = await tollgate.app.clients.administration.add('gateway', { scopes: ['users:read'], permissions: ['introspect'] })
  return { tollgate, issuer, as, client: { client_id: 'gateway' }, secret }
}

async function clientToken ({ as, client, secret }: Setup, auth = oauth.ClientSecretBasic(secret)): Promise<string> {
  const response = await oauth.clientCredentialsGrantRequest(as, client, auth, { scope: 'users:read' }, insecure)
  return (await oauth.processClientCredentialsResponse(as, client, response)).access_token
}

const introspect = async ({ as, client, secret }: Setup, token: string) =>
  oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, oauth.ClientSecretBasic(secret), token, insecure))

t.test('discovery from the issuer alone finds every endpoint, each under PUBLIC_URL', async (t) => {
  const { as, issuer } = await setup(t)
  t.equal(as.issuer, issuer.href.replace(/\/$/, ''))
  for (const member of ['token_endpoint', 'jwks_uri', 'introspection_endpoint', 'revocation_endpoint', 'service_documentation'] as const) {
    t.ok(String(as[member]).startsWith(`${as.issuer}/`), member)
  }
  t.same(as.grant_types_supported, ['password', 'authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'])
  t.ok(as.token_endpoint_auth_methods_supported?.includes('client_secret_basic'))
  t.ok(as.revocation_endpoint_auth_methods_supported?.includes('none'))
  t.same(as.scopes_supported, ['users:read'])
})

t.test('client credentials with client_secret_basic and client_secret_post; jose verifies the tokens from the JWKS', async (t) => {
  const context = await setup(t)
  const jwks = createRemoteJWKSet(new URL(context.as.jwks_uri ?? ''))
  for (const auth of [oauth.ClientSecretBasic(context.secret), oauth.ClientSecretPost(context.secret)]) {
    const token = await clientToken(context, auth)
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: context.as.issuer, audience: 'tollgate-api', typ: 'at+jwt' })
    t.match(payload, { sub: 'gateway', client_id: 'gateway', scope: 'users:read' })
    t.equal(protectedHeader.alg, 'ES256')
  }
  const wrong = await oauth.clientCredentialsGrantRequest(context.as, context.client, oauth.ClientSecretBasic('wrong'), {}, insecure)
  // A 401 carries RFC 6749 §5.2's Basic challenge, which oauth4webapi surfaces as such.
  const refused = await oauth.processClientCredentialsResponse(context.as, context.client, wrong).catch((error: unknown) => error)
  t.match(refused, { name: 'WWWAuthenticateChallengeError', status: 401, cause: [{ scheme: 'basic' }] })
})

t.test('introspection: live tokens are described, anything else is inactive; revocation ends them everywhere at once', async (t) => {
  const context = await setup(t)
  const token = await clientToken(context)
  t.match(await introspect(context, token), { active: true, sub: 'gateway', client_id: 'gateway', scope: 'users:read', token_type: 'Bearer', iss: context.as.issuer, aud: 'tollgate-api' })
  for (const junk of ['garbage', `${token}x`, 'a.b.c']) t.same(await introspect(context, junk), { active: false }, junk)

  const user = await createUser(context.tollgate.app, 'dana')
  const login = await fetch(`${context.as.issuer}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user.username, password: PASSWORD }) })
  const { access_token: userToken, refresh_token: refreshToken } = await login.json() as { access_token: string, refresh_token: string }
  t.match(await introspect(context, refreshToken), { active: true, sub: user.id, token_type: 'refresh_token' })

  await oauth.processRevocationResponse(await oauth.revocationRequest(context.as, context.client, oauth.ClientSecretBasic(context.secret), token, insecure))
  t.same(await introspect(context, token), { active: false }, 'a revoked client token')
  t.equal((await context.tollgate.app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401, 'and it is refused')

  // A user's own token needs no client: presented with `none`, it ends with its session, as a logout does.
  const publicClient = { client_id: 'some-app', token_endpoint_auth_method: 'none' }
  await oauth.processRevocationResponse(await oauth.revocationRequest(context.as, publicClient, oauth.None(), userToken, insecure))
  t.same(await introspect(context, userToken), { active: false })
  t.same(await introspect(context, refreshToken), { active: false }, 'its session ended too')
  await oauth.processRevocationResponse(await oauth.revocationRequest(context.as, publicClient, oauth.None(), 'never-issued', insecure))
})

t.test('introspection needs the introspect permission', async (t) => {
  const context = await setup(t)
  const { secret = '' } = await context.tollgate.app.clients.administration.add('plain', {})
  const response = await oauth.introspectionRequest(context.as, { client_id: 'plain' }, oauth.ClientSecretBasic(secret), 'x', insecure)
  t.equal(response.status, 403)
  t.match(await response.json(), { code: 'ERR_FORBIDDEN' })
})

t.test('private_key_jwt as oauth4webapi signs it: a token, introspection and revocation, each with a fresh assertion', async (t) => {
  const context = await setup(t)
  t.ok(context.as.token_endpoint_auth_methods_supported?.includes('private_key_jwt'))
  t.same(context.as.token_endpoint_auth_signing_alg_values_supported, ['RS256', 'ES256', 'EdDSA'])
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  await context.tollgate.app.clients.administration.add('signer', { scopes: ['users:read'], permissions: ['introspect'], key: parseClientKey(await exportSPKI(publicKey)) })
  const client = { client_id: 'signer' }
  const auth = oauth.PrivateKeyJwt(privateKey)
  const granted = await oauth.clientCredentialsGrantRequest(context.as, client, auth, { scope: 'users:read' }, insecure)
  const { access_token: token } = await oauth.processClientCredentialsResponse(context.as, client, granted)
  const described = await oauth.processIntrospectionResponse(context.as, client, await oauth.introspectionRequest(context.as, client, auth, token, insecure))
  t.match(described, { active: true, sub: 'signer', client_id: 'signer', scope: 'users:read' })
  await oauth.processRevocationResponse(await oauth.revocationRequest(context.as, client, auth, token, insecure))
  t.same(await introspect(context, token), { active: false }, 'revoked')
})

t.test('token exchange as oauth4webapi sends it (RFC 8693), two hops; jose verifies each issued token and its nested act', async (t) => {
  const context = await setup(t)
  const { app } = context.tollgate
  const jwks = createRemoteJWKSet(new URL(context.as.jwks_uri ?? ''))
  const hops = [
    { client: { client_id: 'web' }, auth: oauth.ClientSecretBasic(await exchangingClient(app, 'web', { audiences: [BILLING] })), target: BILLING },
    { client: { client_id: 'billing' }, auth: oauth.ClientSecretPost(await exchangingClient(app, 'billing', { audiences: [BILLING, LEDGER] })), target: LEDGER }
  ]
  const user = await createUser(app, 'erin', ['customer'])
  const login = await fetch(`${context.as.issuer}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user.username, password: PASSWORD }) })
  let token = (await login.json() as { access_token: string }).access_token
  const actors: string[] = []
  for (const { client, auth, target } of hops) {
    const response = await oauth.genericTokenEndpointRequest(context.as, client, auth, EXCHANGE_GRANT, {
      subject_token: token, subject_token_type: ACCESS_TOKEN_URN, audience: target, requested_token_type: ACCESS_TOKEN_URN
    }, insecure)
    const answer = await oauth.processGenericTokenEndpointResponse(context.as, client, response)
    t.match(answer, { token_type: 'bearer', issued_token_type: ACCESS_TOKEN_URN })
    t.notOk(answer.refresh_token)
    token = answer.access_token
    const { payload } = await jwtVerify(token, jwks, { issuer: context.as.issuer, audience: target, typ: 'at+jwt' })
    actors.unshift(client.client_id)
    t.match(payload, { sub: user.id, client_id: client.client_id, roles: ['customer'] })
    t.same(payload.act, actors.reduceRight<Record<string, unknown> | undefined>((inner, sub) => ({ sub, ...(inner === undefined ? {} : { act: inner }) }), undefined))
  }
  const refused = await oauth.genericTokenEndpointRequest(context.as, hops[0]!.client, hops[0]!.auth, EXCHANGE_GRANT, {
    subject_token: token, subject_token_type: ACCESS_TOKEN_URN, audience: BILLING
  }, insecure)
  const error = await oauth.processGenericTokenEndpointResponse(context.as, hops[0]!.client, refused).catch((caught: unknown) => caught)
  t.match(error, { name: 'ResponseBodyError', error: 'invalid_grant', status: 400 }, 'a token for the ledger is not the web client\'s to trade')
})
