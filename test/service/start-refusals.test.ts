import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { tollgateAuth, type AuthPluginOptions } from '../../index.js'
import { cli } from '../cli/run-cli.js'
import { testEnv } from '../helper.js'
import { holdsBy } from '../multi-instance/deadline.js'
import { freePort } from '../support/free-port.js'
import { startTollgate as startTollgateProcess } from '../support/processes.js'
import { startTollgate, TOLLGATE_CLAIMS } from './running-tollgate.js'
import { writeKeyPair } from './keys.js'
import { deploy } from './tollgate-deployment.js'

interface LogLine { level: number, msg: string }

/** A relying service on its own, its log lines kept; resolves once it is ready, rejects with what stopped it. */
async function register (t: Test, options: AuthPluginOptions, lines: LogLine[] = []): Promise<FastifyInstance> {
  const service = Fastify({ logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line) as LogLine) } } } })
  t.teardown(() => service.close())
  await service.register(tollgateAuth, options)
  await service.ready()
  return service
}

t.test('an issuer publishing no key (HS256) stops the service at start, saying what to pass instead', async (t) => {
  const tollgate = await startTollgate(t, {})
  await t.rejects(register(t, { ...TOLLGATE_CLAIMS, jwksUrl: tollgate.jwksUrl }), {
    name: 'TollgateError',
    code: 'ERR_KEY_SET_UNAVAILABLE',
    message: new RegExp(`^${tollgate.jwksUrl.replaceAll('.', '\\.')} publishes no RS256, ES256, EdDSA key .*HS256.*\\{ secret, algorithm: 'HS256' \\}.*RS256, ES256 or EdDSA`)
  })
  await t.rejects(register(t, { ...TOLLGATE_CLAIMS, jwksUrl: tollgate.jwksUrl, algorithms: ['EdDSA'] }), /publishes no EdDSA key/, 'naming the algorithms it was told to accept')
})

t.test('an issuer out of reach stops the service at start, naming the URL it tried', async (t) => {
  const issuer = `http://127.0.0.1:${await freePort()}`
  const discovery = await register(t, { issuer, audience: 'tollgate-api' }).then(() => undefined, (error: unknown) => error as Error)
  t.match(discovery, { name: 'TollgateError', code: 'ERR_KEY_SET_UNAVAILABLE', message: `could not reach ${issuer}/.well-known/oauth-authorization-server: ECONNREFUSED` })
  t.notMatch(discovery?.message, /fetch failed/, 'not fetch\'s bare message')
  await t.rejects(register(t, { issuer, audience: 'tollgate-api', jwksUrl: `${issuer}/.well-known/jwks.json` }), {
    code: 'ERR_KEY_SET_UNAVAILABLE',
    message: `could not reach ${issuer}/.well-known/jwks.json: ECONNREFUSED`
  })

  // A server that takes the connection and never answers.
  const silent = createServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { silent.closeAllConnections(); silent.close() })
  const jwksUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/jwks.json`
  await t.rejects(register(t, { ...TOLLGATE_CLAIMS, jwksUrl, timeoutMs: 200 }), { message: `could not reach ${jwksUrl}: no answer within 200 ms` })
})

t.test('a revocation feed refusing the client at start stops the service, naming the credential problem', async (t) => {
  t.setTimeout(120_000)
  const { issuer, secrets } = await deploy(t, ['billing'])
  const feedUrl = `${issuer}/auth/revocations`
  await t.rejects(register(t, { issuer, audience: 'tollgate-api', revocations: { clientId: 'orders-api', clientSecret: 'not its secret' } }), {
    code: 'ERR_CONFIG',
    message: `the revocation feed at ${feedUrl} refused the credentials of client orders-api (401): check revocations.clientId and revocations.clientSecret`
  }, '401: a wrong secret')
  await t.rejects(register(t, { issuer, audience: 'tollgate-api', revocations: { clientId: 'billing', clientSecret: secrets.billing! } }), {
    code: 'ERR_CONFIG',
    message: `the revocation feed at ${feedUrl} refused client billing (403): it needs the revocations permission (npx tollgate client update billing --permissions revocations)`
  }, '403: a client without the revocations permission')
})

t.test('a feed that starts refusing the credentials later is logged as a credential error, not as the network', async (t) => {
  t.setTimeout(120_000)
  const deployment = await deploy(t)
  const lines: LogLine[] = []
  await register(t, { issuer: deployment.issuer, audience: 'tollgate-api', revocations: { clientId: 'orders-api', clientSecret: deployment.secret } }, lines)

  // The secret changes while Tollgate is down; restarted, it refuses the one the service still holds.
  await deployment.tollgate.stop()
  t.equal((await cli(['client', 'rotate-secret', 'orders-api'], testEnv(deployment.env))).code, 0)
  await startTollgateProcess(t, { env: deployment.env, cwd: deployment.cwd })

  const refused = (): LogLine | undefined => lines.find((line) => line.msg.includes('refused the credentials of client orders-api (401)'))
  const logged = await holdsBy(async () => refused(), (line) => line !== undefined, { deadlineMs: 15_000, startedAt: performance.now() })
  t.ok(logged.met, 'the 401 is logged')
  t.equal(refused()?.level, 50, 'as an error')
  t.match(refused()?.msg, /check revocations\.clientId and revocations\.clientSecret; keeping the revocations held and retrying$/)
  const lost = lines.filter((line) => line.msg.startsWith('lost the revocation feed'))
  t.equal(lost.length, 1, 'the outage itself was logged once, as the network, before')
})

t.test('an issuer or a feed secret left unset (an environment variable nobody set) is named at start', async (t) => {
  const key = writeKeyPair(t.testdir(), 'ES256')
  await t.rejects(register(t, { issuer: process.env.TOLLGATE_NOBODY_SET_THIS as string, audience: 'tollgate-api' }), {
    name: 'TypeError',
    message: 'issuer must be the issuer\'s URL, to read its metadata from (or pass jwksUrl), not undefined'
  })
  const unset = { clientId: 'orders-api', clientSecret: process.env.TOLLGATE_NOBODY_SET_THIS as string, feedUrl: 'http://127.0.0.1:9/auth/revocations' }
  await t.rejects(register(t, { ...TOLLGATE_CLAIMS, publicKey: key.publicPem, algorithm: 'ES256', revocations: unset }), {
    name: 'TypeError',
    message: 'revocations.clientSecret is missing: the feed needs a client with the revocations permission'
  })
})
