import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { build, createUser, login, TEST_SECRET } from '../../helper.js'
import { tokenRequest } from '../../support/client-assertions.js'
import { accessClaims, decodeJwt, resign, signToken, TEST_ISSUER } from '../../support/forge.js'
import { ACCESS_TOKEN_URN, basic, BILLING, chainClients, exchange, exchanged, exchangingClient, LEDGER } from '../../support/token-exchange.js'

async function chain (t: Test, env = {}) {
  const app = await build(t, env)
  const secrets = await chainClients(app)
  const alice = await createUser(app, 'alice', ['reader'])
  return {
    app,
    alice,
    gateway: { id: 'gateway', secret: secrets.gateway },
    billing: { id: 'billing', secret: secrets.billing }
  }
}

function assertRefused (t: Test, response: LightMyRequestResponse, error: string, status = 400): void {
  t.equal(response.statusCode, status, `${error}: ${response.body}`)
  t.equal(response.json().error, error)
  t.type(response.json().error_description, 'string')
  t.equal(response.headers['cache-control'], 'no-store')
}

t.test('a three-hop chain: each hop gets a token for the next service, the actors nested, the session kept', async (t) => {
  const { app, alice, gateway, billing } = await chain(t)
  const userToken = await login(app, alice)
  const user = decodeJwt(userToken).payload

  const first = await exchange(app, gateway, userToken, { resource: BILLING })
  t.equal(first.statusCode, 200)
  t.equal(first.headers['cache-control'], 'no-store')
  const answer = first.json()
  t.same(Object.keys(answer).sort(), ['access_token', 'expires_in', 'issued_token_type', 'token_type'], 'no refresh token (RFC 8693 §2.2.1)')
  t.match(answer, { token_type: 'Bearer', issued_token_type: ACCESS_TOKEN_URN })
  const toBilling = decodeJwt(answer.access_token).payload
  t.match(toBilling, { sub: alice.id, roles: ['reader'], aud: BILLING, iss: TEST_ISSUER, client_id: 'gateway', sid: user.sid, act: { sub: 'gateway' } })
  t.notOk('act' in toBilling.act, 'the first actor acts for the user directly')
  t.ok(toBilling.exp <= user.exp, 'never outlives the token it replaces')

  // Billing trades what it was sent (`audience` works as `resource` does).
  const toLedger = decodeJwt(await exchanged(app, billing, answer.access_token, { audience: LEDGER })).payload
  t.match(toLedger, { sub: alice.id, roles: ['reader'], aud: LEDGER, client_id: 'billing', sid: user.sid })
  t.same(toLedger.act, { sub: 'billing', act: { sub: 'gateway' } }, 'RFC 8693 §4.1: the current actor outermost')
  t.ok(toLedger.exp <= user.exp)
})

t.test('the lifetime is the client\'s own, and never past the subject token\'s expiry', async (t) => {
  const app = await build(t, { ACCESS_TOKEN_TTL: '900' })
  const short = { id: 'short', secret: await exchangingClient(app, 'short', { audiences: [BILLING], tokenTtl: 120 }) }
  const long = { id: 'long', secret: await exchangingClient(app, 'long', { audiences: [BILLING], tokenTtl: 3600 }) }
  const alice = await createUser(app)
  const userToken = await login(app, alice)
  const userExp = decodeJwt(userToken).payload.exp

  const fromShort = await exchange(app, short, userToken, { resource: BILLING })
  t.equal(fromShort.json().expires_in, 120)
  const fromLong = await exchange(app, long, userToken, { resource: BILLING })
  t.ok(fromLong.json().expires_in <= 900, 'capped by the subject token')
  t.equal(decodeJwt(fromLong.json().access_token).payload.exp, userExp)
})

t.test('scope: at most the subject token\'s and the client\'s, all of both by default', async (t) => {
  const app = await build(t)
  const gateway = { id: 'gateway', secret: await exchangingClient(app, 'gateway', { audiences: [BILLING], scopes: ['a', 'b', 'c'] }) }
  // A token with scopes a, b and d, sent to the gateway.
  const subject = app.tokens.issue({ id: 'caller', roles: [], scope: 'a b d', clientId: 'caller' }).token

  t.equal(decodeJwt(await exchanged(app, gateway, subject, { resource: BILLING })).payload.scope, 'a b')
  t.equal(decodeJwt(await exchanged(app, gateway, subject, { resource: BILLING, scope: 'b' })).payload.scope, 'b')
  assertRefused(t, await exchange(app, gateway, subject, { resource: BILLING, scope: 'a c' }), 'invalid_scope')
  assertRefused(t, await exchange(app, gateway, subject, { resource: BILLING, scope: 'd' }), 'invalid_scope')
})

t.test('an actor token of the client itself is accepted; another\'s is invalid_grant', async (t) => {
  const { app, alice, gateway, billing } = await chain(t)
  const userToken = await login(app, alice)
  const own = (await tokenRequest(app, { grant_type: 'client_credentials' }, basic('gateway', gateway.secret))).json().access_token
  const others = (await tokenRequest(app, { grant_type: 'client_credentials' }, basic('billing', billing.secret))).json().access_token

  const accepted = await exchange(app, gateway, userToken, { resource: BILLING, actor_token: own, actor_token_type: ACCESS_TOKEN_URN })
  t.equal(accepted.statusCode, 200)
  t.same(decodeJwt(accepted.json().access_token).payload.act, { sub: 'gateway' })
  assertRefused(t, await exchange(app, gateway, userToken, { resource: BILLING, actor_token: others, actor_token_type: ACCESS_TOKEN_URN }), 'invalid_grant')
  assertRefused(t, await exchange(app, gateway, userToken, { resource: BILLING, actor_token: 'not.a.token', actor_token_type: ACCESS_TOKEN_URN }), 'invalid_grant')
  assertRefused(t, await exchange(app, gateway, userToken, { resource: BILLING, actor_token: own }), 'invalid_request')
})

t.test('a chain longer than five actors is refused', async (t) => {
  const app = await build(t)
  const relay = { id: 'relay', secret: await exchangingClient(app, 'relay', { audiences: [BILLING] }) }
  let token = await login(app, await createUser(app))
  for (let hop = 1; hop <= 5; hop++) token = await exchanged(app, relay, token, { resource: BILLING })
  let depth = 0
  for (let act = decodeJwt(token).payload.act; act !== undefined; act = act.act) depth++
  t.equal(depth, 5)
  assertRefused(t, await exchange(app, relay, token, { resource: BILLING }), 'invalid_grant')
})

t.test('refusals, in RFC 6749 §5.2\'s shape', async (t) => {
  const { app, alice, gateway, billing } = await chain(t)
  const userToken = await login(app, alice)
  const claims = decodeJwt(userToken).payload

  t.test('an expired, forged, revoked or unreadable subject token is invalid_grant', async (t) => {
    const expired = signToken(accessClaims({ ...claims, iat: claims.iat - 1000, nbf: claims.iat - 1000, exp: claims.iat - 100 }), {}, { alg: 'HS256', secret: TEST_SECRET })
    const forged = resign(userToken, { alg: 'HS256', secret: 'another-secret-that-is-at-least-32-bytes' })
    const wrongIssuer = signToken(accessClaims({ ...claims, iss: 'https://elsewhere.example' }), {}, { alg: 'HS256', secret: TEST_SECRET })
    const revokedSession = await login(app, alice)
    t.equal((await app.inject({ method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${revokedSession}` } })).statusCode, 204)
    for (const token of [expired, forged, wrongIssuer, revokedSession, 'garbage', 'a.b.c']) {
      assertRefused(t, await exchange(app, gateway, token, { resource: BILLING }), 'invalid_grant')
    }
  })

  t.test('a token for a service the client is not one of is not its to trade: invalid_grant', async (t) => {
    const toLedger = await exchanged(app, billing, userToken, { resource: LEDGER })
    assertRefused(t, await exchange(app, gateway, toLedger, { resource: BILLING }), 'invalid_grant')
  })

  t.test('a target outside the client\'s audiences, or two, is invalid_target', async (t) => {
    assertRefused(t, await exchange(app, gateway, userToken, { resource: LEDGER }), 'invalid_target')
    assertRefused(t, await exchange(app, gateway, userToken, { audience: 'tollgate-api' }), 'invalid_target')
    assertRefused(t, await exchange(app, billing, userToken, { resource: BILLING, audience: LEDGER }), 'invalid_target')
  })

  t.test('a client without the permission is unauthorized_client; an unauthenticated one invalid_client', async (t) => {
    const { secret = '' } = await app.clients.administration.add('plain', { audiences: [BILLING] })
    assertRefused(t, await exchange(app, { id: 'plain', secret }, userToken, { resource: BILLING }), 'unauthorized_client')
    assertRefused(t, await exchange(app, { id: 'gateway', secret: 'wrong' }, userToken, { resource: BILLING }), 'invalid_client', 401)
    const anonymous = await tokenRequest(app, { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: userToken, subject_token_type: ACCESS_TOKEN_URN, resource: BILLING })
    assertRefused(t, anonymous, 'invalid_client', 401)
  })

  t.test('missing or unsupported parameters are invalid_request', async (t) => {
    const cases: Array<Record<string, string>> = [
      { resource: BILLING, subject_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
      { resource: BILLING, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' },
      { resource: BILLING, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
      { resource: BILLING, actor_token_type: ACCESS_TOKEN_URN },
      {}
    ]
    for (const fields of cases) assertRefused(t, await exchange(app, gateway, userToken, fields), 'invalid_request')
    const noSubject = await tokenRequest(app, { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', resource: BILLING }, basic('gateway', gateway.secret))
    assertRefused(t, noSubject, 'invalid_request')
  })
})

t.test('the exchange is audited with subject, actor and target, and counted by outcome', async (t) => {
  const lines: string[] = []
  const app = await build(t, {}, { logger: { level: 'info', stream: { write: (line: string) => { lines.push(line) } } } })
  const gateway = { id: 'gateway', secret: await exchangingClient(app, 'gateway', { audiences: [BILLING] }) }
  const alice = await createUser(app)
  const userToken = await login(app, alice)
  t.equal((await exchange(app, gateway, userToken, { resource: BILLING })).statusCode, 200)
  t.equal((await exchange(app, gateway, userToken, { resource: LEDGER })).statusCode, 400)

  const audit = lines.map((line) => JSON.parse(line)).filter((line) => line.event === 'auth.exchange')
  t.match(audit, [
    { outcome: 'success', subject: alice.id, actor: 'gateway', target: BILLING, msg: 'token exchanged' },
    { outcome: 'failure', subject: alice.id, actor: 'gateway', target: LEDGER, code: 'ERR_INVALID_TARGET', reason: 'target' }
  ])
  t.notOk(lines.some((line) => line.includes(userToken.split('.')[2] ?? '')), 'never the token itself')
  const metrics = await app.metrics?.render() ?? ''
  t.match(metrics, /tollgate_tokens_issued_total\{grant="token_exchange"\} 1/)
  t.match(metrics, /tollgate_logins_failed_total\{grant="token_exchange"\} 1/)
})

t.test('RFC 8414 metadata lists the grant', async (t) => {
  const app = await build(t)
  const metadata = (await app.inject({ url: '/.well-known/oauth-authorization-server' })).json()
  t.ok(metadata.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:token-exchange'))
})
