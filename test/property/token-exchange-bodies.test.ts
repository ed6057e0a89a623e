import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { build, createUser, login, TEST_SECRET } from '../helper.js'
import { accessClaims, decodeJwt, resign, signToken } from '../support/forge.js'
import { ACCESS_TOKEN_URN, basic, BILLING, chainClients, EXCHANGE_GRANT, exchanged, LEDGER } from '../support/token-exchange.js'
import { expectJsonAnswer, JSON_TYPE } from './json-answer.js'

const SEED = 20_261_204
const RUNS = 300

/** The answers the README and the OpenAPI document give the token endpoint (a grant_type not the exchange's included). */
const DOCUMENTED = new Map([
  [400, ['invalid_request', 'invalid_grant', 'invalid_scope', 'invalid_target', 'unauthorized_client', 'unsupported_grant_type']],
  [401, ['invalid_client']]
])

t.test('any exchange request near the real shape gets a documented answer, and a token only within its bounds', async (t) => {
  const app = await build(t)
  const secrets = await chainClients(app)
  const { secret: plainSecret = '' } = await app.clients.administration.add('plain', { audiences: [BILLING] })
  const alice = await createUser(app, 'alice', ['reader'])
  const userToken = await login(app, alice)
  const toBilling = await exchanged(app, { id: 'gateway', secret: secrets.gateway }, userToken, { resource: BILLING })
  const scoped = app.tokens.issue({ id: 'caller', roles: [], scope: 'a b', clientId: 'caller' }).token
  const subjects = [userToken, toBilling, scoped]
  const claims = decodeJwt(userToken).payload
  // Mostly what a client would send, sometimes anything: enough requests succeed to check their tokens.
  const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>) => fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: other })
  const tokens = mostly(fc.constantFrom(...subjects), fc.oneof(
    fc.constantFrom(
      resign(userToken, { alg: 'HS256', secret: 'another-secret-that-is-at-least-32-bytes' }),
      signToken(accessClaims({ ...claims, exp: claims.iat - 100 }), {}, { alg: 'HS256', secret: TEST_SECRET }),
      signToken(accessClaims({ ...claims, act: { sub: 7 } }), {}, { alg: 'HS256', secret: TEST_SECRET }),
      'a.b.c', ''
    ),
    fc.string({ maxLength: 60 }),
    fc.jsonValue()
  ))
  const tokenType = mostly(fc.constant(ACCESS_TOKEN_URN), fc.oneof(fc.constant('urn:ietf:params:oauth:token-type:jwt'), fc.jsonValue()))
  const sometimes = <T>(value: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value })
  const targets = mostly(fc.constantFrom(BILLING, LEDGER), fc.oneof(fc.constant('tollgate-api'), fc.array(fc.constantFrom(BILLING, LEDGER), { maxLength: 3 }), fc.jsonValue()))
  const fields = fc.record({
    grant_type: mostly(fc.constant(EXCHANGE_GRANT), fc.jsonValue()),
    subject_token: tokens,
    subject_token_type: tokenType,
    actor_token: sometimes(tokens),
    actor_token_type: sometimes(tokenType),
    requested_token_type: sometimes(tokenType),
    resource: targets,
    audience: sometimes(targets),
    scope: sometimes(mostly(fc.constantFrom('a', 'a b', 'b c', ''), fc.jsonValue()))
  }).map((body) => Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)))
  const clients = mostly(
    fc.constantFrom(basic('gateway', secrets.gateway), basic('billing', secrets.billing)),
    fc.constantFrom(basic('plain', plainSecret), basic('gateway', 'wrong'), undefined)
  ) as fc.Arbitrary<string | undefined>

  let issued = 0
  function check (response: LightMyRequestResponse, sent: unknown, client: string | undefined): true {
    expectJsonAnswer(response, sent)
    const body = response.json()
    const what = `${response.statusCode} ${response.body.slice(0, 200)} for ${JSON.stringify(sent).slice(0, 300)}`
    if (response.statusCode === 200) {
      const token = decodeJwt(body.access_token).payload
      const subject = decodeJwt((sent as { subject_token: string }).subject_token).payload
      const clientId = client === basic('gateway', secrets.gateway) ? 'gateway' : 'billing'
      const bounded = token.sub === subject.sub && token.exp <= subject.exp && token.act.sub === clientId && token.client_id === clientId &&
        token.sid === subject.sid && (token.scope as string).split(' ').every((scope: string) => scope === '' || (subject.scope as string).split(' ').includes(scope)) &&
        body.issued_token_type === ACCESS_TOKEN_URN && body.refresh_token === undefined
      if (!bounded) throw new Error(`a token past its bounds: ${what}`)
      issued++
      return true
    }
    if (!(DOCUMENTED.get(response.statusCode) ?? []).includes(body.error)) throw new Error(`undocumented: ${what}`)
    if (response.headers['cache-control'] !== 'no-store') throw new Error(`cacheable: ${what}`)
    return true
  }

  await fc.assert(fc.asyncProperty(fields, clients, async (body, client) => {
    const response = await app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': JSON_TYPE, ...(client === undefined ? {} : { authorization: client }) }, payload: JSON.stringify(body) })
    return check(response, body, client)
  }), { numRuns: RUNS, seed: SEED })
  t.pass(`${RUNS} JSON bodies`)

  // Form-encoded, as OAuth clients send it: strings only, repeated members for lists.
  const strings = fields.map((body) => Object.fromEntries(Object.entries(body).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)])))
  await fc.assert(fc.asyncProperty(strings, clients, async (body, client) => {
    const response = await app.inject({
      method: 'POST',
      url: '/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(client === undefined ? {} : { authorization: client }) },
      payload: new URLSearchParams(body).toString()
    })
    return check(response, body, client)
  }), { numRuns: RUNS, seed: SEED })
  t.pass(`${RUNS} form bodies`)
  t.ok(issued > 0, `${issued} of them exchanged, each within its bounds`)
})
