import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { tollgateAuth } from '../../index.js'
import { cli } from '../cli/run-cli.js'
import { bearer, PASSWORD, testEnv } from '../helper.js'
import { holdsBy } from '../multi-instance/deadline.js'
import { freePort } from '../../bench/lib/free-port.js'
import { startTollgate, type ListeningTollgate } from '../support/processes.js'
import { writeKeyPair } from './keys.js'

/** How soon a logout on Tollgate must be refused by a relying service following the feed. */
const FEED_DEADLINE_MS = 1000

interface Deployment {
  tollgate: ListeningTollgate
  issuer: string
  secret: string
  env: Record<string, string>
  cwd: string
}

/** Tollgate in its own process, on a port fixed up front (its issuer URL names it), with a user and a follower client. */
async function deploy (t: Test): Promise<Deployment> {
  const cwd = t.testdir({})
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const key = writeKeyPair(cwd, 'ES256')
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: `sqlite:${cwd}/tollgate.db`,
    PORT: String(port),
    PUBLIC_URL: issuer,
    JWT_ALGORITHM: 'ES256',
    JWT_PRIVATE_KEY_FILE: key.privateFile,
    LOGIN_RATE_LIMIT: '1000'
  }
  const cliEnv = testEnv(env)
  const added = await cli(['client', 'add', 'orders-api', '--permissions', 'revocations'], cliEnv)
  t.equal(added.code, 0, added.stderr)
  t.equal((await cli(['user', 'add', 'alice'], cliEnv, `${PASSWORD}\n`)).code, 0)
  const tollgate = await startTollgate(t, { env, cwd })
  return { tollgate, issuer, secret: added.stdout.trim(), env, cwd }
}

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

async function logIn (issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: PASSWORD }) })
  return (await response.json() as { access_token: string }).access_token
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
