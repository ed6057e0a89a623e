import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { tollgateAuth } from '../../index.js'
import { bearer, createUser, PASSWORD } from '../helper.js'
import { holdsBy } from '../multi-instance/deadline.js'
import { freshDatabase, freshRedisPrefix, REDIS_URL } from '../support/stores.js'
import { ACCESS_TOKEN_URN, basic, BILLING, EXCHANGE_GRANT, exchangingClient, LEDGER } from '../support/token-exchange.js'
import { signingEnv, writeKeyPair } from './keys.js'
import { startTollgate, TOLLGATE_CLAIMS, type RunningTollgate } from './running-tollgate.js'

/** How soon a logout must be refused at every hop: instances, relying services and further exchanges. */
const DEADLINE_MS = 1000

const base = (tollgate: RunningTollgate): string => `http://127.0.0.1:${tollgate.port}`

/** A service of the chain: it trusts Tollgate for its own audience, follows the revocation feed of one instance, and takes calls only through `actor`. */
async function relyingService (t: Test, tollgate: RunningTollgate, audience: string, feedClient: { id: string, secret: string }, actor: string): Promise<FastifyInstance> {
  const service = Fastify()
  t.teardown(() => service.close())
  await service.register(tollgateAuth, {
    issuer: TOLLGATE_CLAIMS.issuer,
    audience,
    jwksUrl: tollgate.jwksUrl,
    revocations: { clientId: feedClient.id, clientSecret: feedClient.secret, feedUrl: `${base(tollgate)}/auth/revocations` }
  })
  service.get('/call', { config: { auth: { actors: [actor] } } }, async (request) => ({ sub: request.user.sub, act: request.user.act }))
  await service.ready()
  return service
}

async function exchangeOn (tollgate: RunningTollgate, client: { id: string, secret: string }, subjectToken: string, target: string): Promise<Response> {
  return fetch(`${base(tollgate)}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.id, client.secret) },
    body: new URLSearchParams({ grant_type: EXCHANGE_GRANT, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN_URN, resource: target })
  })
}

const call = async (service: FastifyInstance, token: string) => service.inject({ url: '/call', headers: bearer(token) })

t.test('gateway → billing → ledger across two instances: nested actors, and a logout in the middle refused at every hop within a second', async (t) => {
  t.setTimeout(120_000)
  const key = writeKeyPair(t.testdir(), 'ES256')
  const env = signingEnv(key, [], { DATABASE_URL: await freshDatabase(t), REDIS_URL, REDIS_PREFIX: await freshRedisPrefix(t) })
  const a = await startTollgate(t, env)
  const gateway = { id: 'gateway', secret: await exchangingClient(a.app, 'gateway', { audiences: [BILLING] }) }
  const billing = { id: 'billing', secret: await exchangingClient(a.app, 'billing', { audiences: [BILLING, LEDGER], permissions: ['token-exchange', 'revocations'] }) }
  const ledger = { id: 'ledger', secret: await exchangingClient(a.app, 'ledger', { permissions: ['revocations'] }) }
  const alice = await createUser(a.app, 'alice', ['customer'])
  // Started once the clients exist, so it holds them from the start.
  const b = await startTollgate(t, env)
  // Billing follows A, ledger follows B: a revocation made on either reaches both through Redis.
  const billingService = await relyingService(t, a, BILLING, billing, 'gateway')
  const ledgerService = await relyingService(t, b, LEDGER, ledger, 'billing')

  const loggedIn = await fetch(`${base(a)}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: PASSWORD }) })
  const userToken = (await loggedIn.json() as { access_token: string }).access_token

  // The gateway trades the user's token on A; billing trades the one it was sent on B.
  const toBilling = (await (await exchangeOn(a, gateway, userToken, BILLING)).json() as { access_token: string }).access_token
  const atBilling = await call(billingService, toBilling)
  t.equal(atBilling.statusCode, 200)
  t.same(atBilling.json(), { sub: alice.id, act: { sub: 'gateway' } })
  const toLedger = (await (await exchangeOn(b, billing, toBilling, LEDGER)).json() as { access_token: string }).access_token
  const atLedger = await call(ledgerService, toLedger)
  t.equal(atLedger.statusCode, 200)
  t.same(atLedger.json(), { sub: alice.id, act: { sub: 'billing', act: { sub: 'gateway' } } })
  t.equal((await call(ledgerService, toBilling)).statusCode, 401, 'a token for billing is not one for the ledger')

  // Alice logs out on B while the chain is live.
  t.equal((await fetch(`${base(b)}/auth/logout`, { method: 'POST', headers: bearer(userToken) })).status, 204)
  const startedAt = performance.now()
  const probes: Array<[string, () => Promise<number>, number]> = [
    ['billing refuses the gateway\'s token', async () => (await call(billingService, toBilling)).statusCode, 401],
    ['the ledger refuses billing\'s token', async () => (await call(ledgerService, toLedger)).statusCode, 401],
    ['A refuses to exchange the token billing holds', async () => (await exchangeOn(a, billing, toBilling, LEDGER)).status, 400],
    ['B refuses it too', async () => (await exchangeOn(b, billing, toBilling, LEDGER)).status, 400],
    ['A refuses to exchange the user\'s own token', async () => (await exchangeOn(a, gateway, userToken, BILLING)).status, 400],
    ['A refuses the user\'s token itself', async () => (await fetch(`${base(a)}/users/me`, { headers: bearer(userToken) })).status, 401]
  ]
  for (const [what, probe, refused] of probes) {
    const result = await holdsBy(probe, (status) => status === refused, { deadlineMs: DEADLINE_MS, startedAt })
    t.ok(result.met, `${what} within ${DEADLINE_MS} ms`, { last: result.last, sentAtMs: Math.round(result.sentAtMs) })
  }
  const refusal = await exchangeOn(a, billing, toBilling, LEDGER)
  t.match(await refusal.json(), { error: 'invalid_grant' })
})
