import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { tollgateAuth } from '../../index.js'
import { bearer } from '../helper.js'
import { holdsBy } from '../multi-instance/deadline.js'
import { startTollgate } from '../support/processes.js'
import { deploy, logIn, type Deployment } from './tollgate-deployment.js'

/** How soon a logout on Tollgate must be refused by a relying service following the feed. */
const FEED_DEADLINE_MS = 1000

/** Another team's service: only the issuer, the audience and its feed credentials. */
async function relyingService (t: Test, { issuer, secret }: Deployment, failClosedAfterMs?: number): Promise<FastifyInstance> {
  const service = Fastify()
  t.teardown(() => service.close())
  await service.register(tollgateAuth, {
    issuer,
    audience: 'tollgate-api',
    revocations: { clientId: 'orders-api', clientSecret: secret, ...(failClosedAfterMs === undefined ? {} : { failClosedAfterMs }) }
  })
  service.get('/orders', { config: { auth: true } }, async () => ({ orders: [] }))
  await service.ready()
  return service
}

const ordersStatus = async (service: FastifyInstance, token: string): Promise<number> => (await service.inject({ url: '/orders', headers: bearer(token) })).statusCode

async function refusedWithin (t: Test, service: FastifyInstance, token: string, what: string): Promise<void> {
  const result = await holdsBy(() => ordersStatus(service, token), (status) => status === 401, { deadlineMs: FEED_DEADLINE_MS, startedAt: performance.now() })
  t.ok(result.met, `${what} is refused by the relying service within ${FEED_DEADLINE_MS} ms`, { lastStatus: result.last, sentAtMs: Math.round(result.sentAtMs) })
}

t.test('a logout on Tollgate is refused by a relying service within a second, with no request per token', async (t) => {
  t.setTimeout(120_000)
  const deployment = await deploy(t)
  const service = await relyingService(t, deployment)
  const token = await logIn(deployment.issuer)
  t.equal(await ordersStatus(service, token), 200)

  await fetch(`${deployment.issuer}/auth/logout`, { method: 'POST', headers: bearer(token) })
  await refusedWithin(t, service, token, 'the logged-out token')

  // Restarted, Tollgate comes back on the same URL; the service reconnects by itself and keeps following.
  await deployment.tollgate.stop()
  t.equal(await ordersStatus(service, token), 401, 'what it holds, it keeps while the feed is down')
  await startTollgate(t, { env: deployment.env, cwd: deployment.cwd })
  const next = await logIn(deployment.issuer)
  t.equal(await ordersStatus(service, next), 200)
  await fetch(`${deployment.issuer}/auth/logout-all`, { method: 'POST', headers: bearer(next) })
  const resumed = await holdsBy(() => ordersStatus(service, next), (status) => status === 401, { deadlineMs: 10_000, startedAt: performance.now() })
  t.ok(resumed.met, 'a cut-off after the restart reaches it once it has reconnected')
})

t.test('a service told to fail closed refuses every token once the feed has been out of reach that long', async (t) => {
  t.setTimeout(120_000)
  const deployment = await deploy(t)
  const service = await relyingService(t, deployment, 300)
  const token = await logIn(deployment.issuer)
  t.equal(await ordersStatus(service, token), 200)
  await deployment.tollgate.stop()
  const closed = await holdsBy(() => ordersStatus(service, token), (status) => status === 503, { deadlineMs: 5000, startedAt: performance.now() })
  t.ok(closed.met, 'refused with 503 once the feed has been gone 300 ms')
  const response = await service.inject({ url: '/orders', headers: bearer(token) })
  t.match(response.json(), { statusCode: 503, code: 'ERR_REVOCATIONS_UNAVAILABLE' })
})

t.test('the feed needs a client with the revocations permission', async (t) => {
  const deployment = await deploy(t)
  const anonymous = await fetch(`${deployment.issuer}/auth/revocations`, { headers: { accept: 'text/event-stream' } })
  t.equal(anonymous.status, 401)
  const metadata = await (await fetch(`${deployment.issuer}/.well-known/oauth-authorization-server`)).json() as Record<string, string>
  t.equal(metadata.revocation_feed_endpoint, `${deployment.issuer}/auth/revocations`, 'advertised in the metadata')
})
