import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { buildApp } from '../../../app.js'
import { JWT_SPIFFE_ASSERTION_TYPE } from '../../../src/clients/federated-assertion.js'
import { testEnv } from '../../helper.js'
import { tokenRequest, withAssertion } from '../../support/client-assertions.js'
import { decodeJwt, signToken, swapClaims, TEST_ISSUER } from '../../support/forge.js'
import { spiffeTrustDomain, startWorkloadIssuer } from '../../support/workload-issuer.js'

const TOKEN_ENDPOINT = `${TEST_ISSUER}/auth/token`
const ORDERS = 'system:serviceaccount:shop:orders'

/** Tollgate with its audit lines captured, refetching an unknown kid at most every 200 ms. */
async function tollgate (t: Test, env: Record<string, string> = {}) {
  const lines: Array<Record<string, unknown>> = []
  const app = await buildApp({
    env: testEnv(env),
    logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } } },
    keyRefetchMs: 200
  })
  t.after(() => app.close())
  await app.ready()
  const refusals = () => lines.filter((line) => line.event === 'auth.client' && line.outcome === 'failure')
  return { app, lines, refusals }
}

/** An issuer trusted as `k8s` (keys found by discovery) and the client `orders` bound to its service account. */
async function kubernetes (t: Test, options: { maxLifetime?: number } = {}) {
  const issuer = await startWorkloadIssuer(t)
  const running = await tollgate(t)
  const { federation, administration } = running.app.clients
  await federation.issuers.add({ name: 'k8s', issuer: issuer.issuer, jwksUri: undefined, jwksFile: undefined, maxLifetime: options.maxLifetime ?? 3600 })
  await federation.trusted.sync()
  await administration.add('orders', { scopes: ['users:read'], federated: { issuer: 'k8s', subject: ORDERS } })
  return { ...running, issuer }
}

const grant = (app: FastifyInstance, token: string, fields: Record<string, string> = {}) => tokenRequest(app, withAssertion(token, fields))

function assertRefused (t: Test, response: LightMyRequestResponse, refusals: () => Array<Record<string, unknown>>, reason: RegExp, token: string, why: string): void {
  t.equal(response.statusCode, 401, `${why}: ${response.body}`)
  t.match(response.json(), { error: 'invalid_client', code: 'ERR_INVALID_CLIENT' }, why)
  const line = refusals().at(-1)
  t.match(line?.reason, reason, `${why}: the audit line says why`)
  t.notOk(JSON.stringify(line).includes(token.split('.')[1] ?? '-'), `${why}: the audit line holds no token`)
}

t.test('a Kubernetes projected service-account token gets its workload\'s client a token; the same token works again', async (t) => {
  const { app, issuer, lines } = await kubernetes(t)
  const workloadToken = await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER)
  for (const attempt of ['first', 'again, as a pod does until kubelet refreshes it']) {
    const response = await grant(app, workloadToken)
    t.equal(response.statusCode, 200, `${attempt}: ${response.body}`)
    t.match(decodeJwt(response.json().access_token).payload, { sub: 'orders', client_id: 'orders', scope: 'users:read', aud: 'tollgate-api' })
  }
  t.match(lines.filter((line) => line.event === 'auth.client').at(-1), { outcome: 'success', clientId: 'orders', method: 'workload_federation' })
  // Its signature was checked once; the same claims under another signature are checked, and refused.
  const [head, body, signature = ''] = workloadToken.split('.')
  const resigned = `${head}.${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`
  t.equal((await grant(app, resigned)).statusCode, 401, 'the verified token\'s claims under a forged signature')
  t.equal((await grant(app, workloadToken)).statusCode, 200, 'the token itself, once more')
  const named = await grant(app, await issuer.kubernetesToken('shop', 'orders', [TOKEN_ENDPOINT, 'vault']), { client_id: 'orders' })
  t.equal(named.statusCode, 200, 'aud holding the token endpoint among others, with client_id beside it')
  t.equal(issuer.jwksRequests(), 1, 'the key set was fetched once')
})

t.test('every refusal is 401 invalid_client with its reason in the audit line', async (t) => {
  const { app, issuer, refusals } = await kubernetes(t, { maxLifetime: 900 })
  await app.clients.administration.add('billing', { scopes: [] })
  const good = await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER)
  const publicPem = createPublicKey({ key: issuer.jwks().keys[0] as JsonWebKey, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString()
  const { header } = decodeJwt(good)
  const stranger = await issuer.strangerKey()
  const now = Math.floor(Date.now() / 1000)
  const untrusted = await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER, { claims: { iss: 'https://other.example' } })
  const cases: Array<[string, string, RegExp, Record<string, string>?]> = [
    ['aud elsewhere', await issuer.kubernetesToken('shop', 'orders', 'https://vault.example'), /aud/],
    ['expired', await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER, { claims: { iat: now - 1200, nbf: now - 1200, exp: now - 300 } }), /expired/],
    ['not yet valid', await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER, { claims: { nbf: now + 600 } }), /will be active/],
    ['longer than the issuer allows', await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER, { expiresIn: 3600 }), /lifetime/],
    ['an iat far ahead to stretch the lifetime', await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER, { claims: { iat: now + 86_400, exp: now + 86_400 + 600 } }), /lifetime/],
    ['an unbound service account', await issuer.kubernetesToken('shop', 'payments', TEST_ISSUER), /no client is bound to k8s=system:serviceaccount:shop:payments/],
    ['client_id of another client', good, /client_id is not orders/, { client_id: 'billing' }],
    ['a key the issuer never published', await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER, { key: stranger }), /no key of k8s/],
    ['alg none', `${good.split('.').slice(0, 2).map((part, index) => index === 0 ? Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url') : part).join('.')}.`, /algorithm/],
    ['HS256 keyed with the issuer\'s public key', signToken(decodeJwt(good).payload, { kid: header.kid, typ: 'JWT' }, { alg: 'HS256', secret: publicPem }), /algorithm/],
    ['a jku header', await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER, { header: { jku: 'https://evil.example/jwks' } }), /key source/],
    ['a jwk header', await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER, { header: { jwk: issuer.jwks().keys[0] } }), /key source/],
    ['an x5u header', await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER, { header: { x5u: 'https://evil.example/cert' } }), /key source/],
    ['claims changed under the signature', swapClaims(good, { ...decodeJwt(good).payload, sub: 'system:serviceaccount:shop:admin' }), /signature/],
    ['an untrusted issuer', untrusted, /no key for the assertion's issuer/],
    ['jwt-spiffe from an untrusted issuer', untrusted, /issuer not trusted/, { client_assertion_type: JWT_SPIFFE_ASSERTION_TYPE }]
  ]
  for (const [why, token, reason, fields] of cases) assertRefused(t, await grant(app, token, fields), refusals, reason, token, why)

  await app.clients.administration.disable('orders')
  assertRefused(t, await grant(app, good), refusals, /disabled/, good, 'a disabled client')
  await app.clients.administration.enable('orders')
  t.equal((await grant(app, good)).statusCode, 200, 'enabled again')
})

t.test('a key rotated at the issuer: the new kid fetches the key set again, the old key stops verifying', async (t) => {
  const { app, issuer } = await kubernetes(t)
  const before = await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER)
  t.equal((await grant(app, before)).statusCode, 200)
  await issuer.rotate()
  await sleep(250)
  const after = await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER)
  t.equal((await grant(app, after)).statusCode, 200, 'a token of the new key')
  t.equal(issuer.jwksRequests(), 2, 'fetched once more')
  t.equal((await grant(app, before)).statusCode, 401, 'the removed key verifies nothing')
  // A flood of unknown kids fetches at most once per interval.
  const forged = await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER, { key: await issuer.strangerKey() })
  await Promise.all(Array.from({ length: 20 }, async () => grant(app, forged)))
  t.ok(issuer.jwksRequests() <= 3, `unknown kids fetched at most once more (${issuer.jwksRequests()})`)
})

t.test('an issuer unreachable at start, and later: its tokens are refused, then accepted once it is back; keys held survive an outage', async (t) => {
  const issuer = await startWorkloadIssuer(t)
  await issuer.stop()
  const { app, refusals } = await tollgate(t)
  await app.clients.federation.issuers.add({ name: 'ci', issuer: issuer.issuer, jwksUri: undefined, jwksFile: undefined, maxLifetime: 600 })
  await app.clients.federation.trusted.sync()
  await app.clients.administration.add('deployer', { federated: { issuer: 'ci', subject: 'repo:acme/shop:ref:refs/heads/main' } })
  const token = await issuer.githubActionsToken('acme/shop', 'refs/heads/main', TEST_ISSUER)
  assertRefused(t, await grant(app, token), refusals, /no key of ci/, token, 'the issuer is out of reach')
  await issuer.start()
  await sleep(250)
  const response = await grant(app, token)
  t.equal(response.statusCode, 200, `discovered and fetched once back: ${response.body}`)
  t.match(decodeJwt(response.json().access_token).payload, { sub: 'deployer' })
  await issuer.stop()
  await sleep(250)
  t.equal((await grant(app, await issuer.githubActionsToken('acme/shop', 'refs/heads/main', TEST_ISSUER))).statusCode, 200, 'gone again: the keys held keep verifying')
})

t.test('a SPIFFE JWT-SVID from a trust domain whose bundle is a file, as jwt-spiffe or jwt-bearer; the file is read again when it changes', async (t) => {
  const domain = await spiffeTrustDomain('example.org')
  const dir = t.testdir()
  const bundle = join(dir, 'bundle.json')
  writeFileSync(bundle, JSON.stringify(domain.bundle()))
  const { app, refusals } = await tollgate(t)
  await app.clients.federation.issuers.add({ name: 'spiffe', issuer: domain.trustDomain, jwksUri: undefined, jwksFile: bundle, maxLifetime: 3600 })
  await app.clients.federation.trusted.sync()
  await app.clients.administration.add('orders', { scopes: ['users:read'], federated: { issuer: 'spiffe', subject: 'spiffe://example.org/ns/shop/sa/orders' } })
  const svid = await domain.svid('/ns/shop/sa/orders', TEST_ISSUER)
  t.notOk('jti' in decodeJwt(svid).payload, 'a JWT-SVID without a jti')
  for (const type of [JWT_SPIFFE_ASSERTION_TYPE, undefined]) {
    const response = await grant(app, svid, type === undefined ? {} : { client_assertion_type: type })
    t.equal(response.statusCode, 200, `${type ?? 'jwt-bearer'}: ${response.body}`)
  }
  const outside = await domain.svid('/ns/shop/sa/orders', TEST_ISSUER, 300, { sub: 'spiffe://evil.org/ns/shop/sa/orders' })
  assertRefused(t, await grant(app, outside), refusals, /./, outside, 'a SPIFFE ID of another trust domain')

  const next = await spiffeTrustDomain('example.org')
  writeFileSync(bundle, JSON.stringify(next.bundle()))
  await app.clients.federation.trusted.sync()
  t.equal((await grant(app, await next.svid('/ns/shop/sa/orders', TEST_ISSUER))).statusCode, 200, 'the new bundle\'s key verifies')
  t.equal((await grant(app, svid)).statusCode, 401, 'the old bundle\'s key no longer does')
})

t.test('introspection accepts a workload token as client authentication', async (t) => {
  const { app, issuer } = await kubernetes(t)
  await app.clients.administration.update('orders', { permissions: ['introspect'] })
  const workloadToken = await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER)
  const { access_token: token } = (await grant(app, workloadToken)).json()
  const form = new URLSearchParams({ token, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: workloadToken })
  const response = await app.inject({ method: 'POST', url: '/auth/introspect', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() })
  t.equal(response.statusCode, 200, response.body)
  t.match(response.json(), { active: true, sub: 'orders' })
})

t.test('metadata names both assertion types', async (t) => {
  const { app } = await tollgate(t)
  const metadata = (await app.inject({ url: '/.well-known/oauth-authorization-server' })).json()
  t.same(metadata.client_assertion_types_supported, ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer', JWT_SPIFFE_ASSERTION_TYPE])
  t.ok(metadata.token_endpoint_auth_methods_supported.includes('private_key_jwt'))
})
