import { randomUUID } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { exportJWK, importSPKI } from 'jose'
import t, { type Test } from 'tap'
import { parseClientKey } from '../../../src/clients/client-keys.js'
import { hashClientSecret } from '../../../src/clients/client-secrets.js'
import { bearer, build } from '../../helper.js'
import { assertion, clientKeyPair, tokenRequest, withAssertion, type ClientKeyPair } from '../../support/client-assertions.js'
import { decodeJwt, signToken, TEST_ISSUER } from '../../support/forge.js'

/** Tollgate's token endpoint under the test settings (PUBLIC_URL is the issuer). */
const TOKEN_ENDPOINT = `${TEST_ISSUER}/auth/token`

async function withKeyClient (t: Test, alg: ClientKeyPair['alg'] = 'ES256') {
  const app = await build(t)
  const key = await clientKeyPair(alg)
  await app.clients.administration.add('billing', { scopes: ['users:read'], key: parseClientKey(key.publicPem) })
  return { app, key }
}

function assertInvalidClient (t: Test, response: LightMyRequestResponse, why: string): void {
  t.equal(response.statusCode, 401, `${why}: ${response.body}`)
  t.match(response.json(), { error: 'invalid_client', code: 'ERR_INVALID_CLIENT' }, why)
  t.equal(response.headers['cache-control'], 'no-store', why)
}

const grantWith = (app: FastifyInstance, clientAssertion: string, fields: Record<string, string> = {}) =>
  tokenRequest(app, withAssertion(clientAssertion, fields))

for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) {
  t.test(`a client with an ${alg} key gets a token with a signed assertion`, async (t) => {
    const { app, key } = await withKeyClient(t, alg)
    const response = await grantWith(app, await assertion(key, 'billing'))
    t.equal(response.statusCode, 200, response.body)
    t.match(response.json(), { token_type: 'Bearer', expires_in: 900, scope: 'users:read' })
    const { payload } = decodeJwt(response.json().access_token)
    t.match(payload, { sub: 'billing', client_id: 'billing', scope: 'users:read', aud: 'tollgate-api', iss: TEST_ISSUER })
    t.equal((await app.inject({ url: '/users/me', headers: bearer(response.json().access_token) })).statusCode, 404, 'the token opens Tollgate\'s routes (there is no user billing)')
  })
}

t.test('the assertion may be addressed to the issuer or to the token endpoint, and may name the client', async (t) => {
  const { app, key } = await withKeyClient(t)
  for (const aud of [TEST_ISSUER, TOKEN_ENDPOINT, ['https://elsewhere.example', TEST_ISSUER]]) {
    const response = await grantWith(app, await assertion(key, 'billing', { aud }))
    t.equal(response.statusCode, 200, `aud ${JSON.stringify(aud)}: ${response.body}`)
  }
  t.equal((await grantWith(app, await assertion(key, 'billing'), { client_id: 'billing' })).statusCode, 200, 'client_id equal to the issuer')
})

t.test('a key given as a JWK works as one given as PEM', async (t) => {
  const app = await build(t)
  const key = await clientKeyPair('ES256')
  const jwk = await exportJWK(await importSPKI(key.publicPem, 'ES256'))
  await app.clients.administration.add('billing', { key: parseClientKey(JSON.stringify({ ...jwk, alg: 'ES256', use: 'sig' })) })
  t.equal((await grantWith(app, await assertion(key, 'billing'))).statusCode, 200)
})

t.test('every refused assertion answers 401 invalid_client, never a 5xx', async (t) => {
  const { app, key } = await withKeyClient(t)
  const stranger = await clientKeyPair('ES256')
  await app.clients.administration.add('audit', { key: parseClientKey(stranger.publicPem) })
  const now = Math.floor(Date.now() / 1000)
  const claims = (overrides: Record<string, unknown> = {}) => ({ iss: 'billing', sub: 'billing', aud: TEST_ISSUER, exp: now + 120, jti: randomUUID(), ...overrides })

  const replayed = await assertion(key, 'billing')
  t.equal((await grantWith(app, replayed)).statusCode, 200, 'the first use')

  const signed = (overrides: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    signToken(claims(overrides), { typ: 'JWT', ...header }, { alg: 'ES256', privatePem: key.privatePem })
  const hmac = (secret: string) => signToken(claims(), { typ: 'JWT' }, { alg: 'HS256', secret })

  // [what, the assertion, extra members, the reason the audit log gives]
  const cases: Array<[string, string | Promise<string>, Record<string, string>, RegExp]> = [
    ['a replayed jti', replayed, {}, /replayed/],
    ['alg none', signToken(claims(), { alg: 'none', typ: 'JWT' }, { alg: 'none', signature: '' }), {}, /MISSING_SIGNATURE/],
    ['an HMAC assertion', hmac('a-secret-the-client-made-up-for-itself'), {}, /INVALID_ALGORITHM/],
    ['an HMAC assertion keyed with the client\'s public PEM', hmac(key.publicPem), {}, /INVALID_ALGORITHM/],
    ['an HMAC assertion keyed with the stored PEM', hmac(parseClientKey(key.publicPem).pem), {}, /INVALID_ALGORITHM/],
    ['a wrong aud', assertion(key, 'billing', { aud: 'https://elsewhere.example' }), {}, /INVALID_CLAIM_VALUE/],
    ['the token endpoint of another host', assertion(key, 'billing', { aud: 'https://elsewhere.example/auth/token' }), {}, /INVALID_CLAIM_VALUE/],
    ['expired', assertion(key, 'billing', { expiresIn: -120 }), {}, /EXPIRED/],
    ['exp more than 5 minutes ahead', assertion(key, 'billing', { expiresIn: 600 }), {}, /too far ahead/],
    ['no exp', signed({ exp: undefined }), {}, /MISSING_REQUIRED_CLAIM/],
    ['exp not a number', signed({ exp: String(now + 60) }), {}, /INVALID_CLAIM_TYPE/],
    ['no jti', assertion(key, 'billing', { jti: null }), {}, /MISSING_REQUIRED_CLAIM/],
    ['an empty jti', assertion(key, 'billing', { jti: '' }), {}, /assertion: jti/],
    ['a jti that is not a string', signed({ jti: 42 }), {}, /assertion: jti/],
    ['a jti too long to keep', assertion(key, 'billing', { jti: 'j'.repeat(256) }), {}, /assertion: jti/],
    ['a critical header', signed({}, { crit: ['b64'], b64: false }), {}, /INVALID_CRIT_HEADER/],
    ['signed by another key', assertion(stranger, 'billing'), {}, /INVALID_SIGNATURE/],
    ['signed by another client\'s key, as that client', assertion(key, 'audit'), {}, /INVALID_SIGNATURE/],
    ['iss is not sub', assertion(key, 'billing', { sub: 'audit' }), {}, /INVALID_CLAIM_VALUE/],
    ['an unknown client', assertion(key, 'nobody'), {}, /no key/],
    ['client_id other than the issuer', assertion(key, 'billing'), { client_id: 'audit' }, /not the assertion's issuer/],
    ['not a JWT', 'not-a-jwt', {}, /without an issuer/],
    ['a payload that is not JSON', `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.bm90IGpzb24.c2ln`, {}, /without an issuer/],
    ['an issuer that is not a string', signed({ iss: ['billing'] }), {}, /without an issuer/]
  ]
  for (const [name, made, fields, reason] of cases) {
    const clientAssertion = await made
    assertInvalidClient(t, await grantWith(app, clientAssertion, fields), name)
    const checked = await app.clients.credentials.authenticate({ method: 'private_key_jwt', assertion: clientAssertion, ...(fields.client_id === undefined ? {} : { id: fields.client_id }) })
    t.match(checked, { ok: false, error: { reason } }, `${name}: why, in the audit log`)
  }

  t.equal(await app.clients.administration.disable('billing'), true)
  assertInvalidClient(t, await grantWith(app, await assertion(key, 'billing')), 'a disabled client')
})

t.test('the assertion type must be RFC 7523\'s, and an assertion goes alone', async (t) => {
  const { app, key } = await withKeyClient(t)
  const made = await assertion(key, 'billing')
  assertInvalidClient(t, await tokenRequest(app, { ...withAssertion(made), client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' }), 'another assertion type')
  assertInvalidClient(t, await tokenRequest(app, { grant_type: 'client_credentials', client_assertion: made }), 'no assertion type')
  assertInvalidClient(t, await tokenRequest(app, { ...withAssertion(made), client_assertion: undefined as unknown as string }), 'a type without an assertion')
  const both = await tokenRequest(app, withAssertion(made), `Basic ${Buffer.from('billing:x').toString('base64')}`)
  t.equal(both.statusCode, 400)
  t.equal(both.json().error, 'invalid_request', 'an assertion and Basic at once')
  const withSecret = await tokenRequest(app, withAssertion(made, { client_secret: 'x' }))
  t.equal(withSecret.json().error, 'invalid_request', 'an assertion and a secret at once')
})

t.test('a client with a key has no secret, and a client with a secret cannot use an assertion', async (t) => {
  const { app, key } = await withKeyClient(t)
  t.equal((await app.clients.repository.find('billing'))?.secretHash, undefined)
  for (const secret of ['', 'anything']) {
    assertInvalidClient(t, await tokenRequest(app, { grant_type: 'client_credentials', client_id: 'billing', client_secret: secret }), `secret ${JSON.stringify(secret)}`)
  }
  await app.clients.repository.create({ id: 'mailer', secretHash: hashClientSecret('mailer-secret'), scopes: [] })
  assertInvalidClient(t, await grantWith(app, await assertion(key, 'mailer')), 'an assertion from a client with a secret')
})

t.test('set-key replaces the key at once and ends the tokens got with the old one', async (t) => {
  const { app, key } = await withKeyClient(t)
  const held = (await grantWith(app, await assertion(key, 'billing'))).json().access_token
  const next = await clientKeyPair('EdDSA')
  t.equal(await app.clients.administration.setKey('billing', parseClientKey(next.publicPem)), true)
  assertInvalidClient(t, await grantWith(app, await assertion(key, 'billing')), 'the old key')
  t.equal((await grantWith(app, await assertion(next, 'billing'))).statusCode, 200, 'the new key')
  t.equal((await app.inject({ url: '/users/me', headers: bearer(held) })).statusCode, 401, 'a token got with the old key is ended')
  t.equal(await app.clients.administration.setKey('nobody', parseClientKey(next.publicPem)), false)

  const secret = await app.clients.administration.rotateSecret('billing')
  assertInvalidClient(t, await grantWith(app, await assertion(next, 'billing')), 'a new secret replaces the key')
  t.equal((await tokenRequest(app, { grant_type: 'client_credentials', client_id: 'billing', client_secret: secret ?? '' })).statusCode, 200)
})
