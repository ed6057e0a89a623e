import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { buildApp } from '../../app.js'
import { tollgateAuth, type AuthPluginOptions } from '../../index.js'
import { hashClientSecret } from '../../src/clients/client-secrets.js'
import type { Environment } from '../../src/config/environment.js'
import { bearer, testEnv } from '../helper.js'
import { TEST_ISSUER } from '../support/forge.js'

interface Teardown { after (fn: () => unknown): void }

export const CLIENT_SECRET = 'a+b:c%'

/** What Tollgate puts in `iss` and `aud` by default, and so what a service trusting it requires. */
export const TOLLGATE_CLAIMS = { issuer: TEST_ISSUER, audience: 'tollgate-api' }

export interface RunningTollgate {
  app: FastifyInstance
  port: number
  jwksUrl: string
  /** How many requests reached the JWKS route of this instance. */
  jwksRequests (): number
  /** A client credentials token for `clientId` (created on first use), asked for over HTTP. */
  clientToken (clientId: string, scopes: string[]): Promise<string>
}

/** Tollgate listening on 127.0.0.1 (`port` 0 for any), counting the requests for its JWKS. */
export async function startTollgate (t: Teardown, env: Environment, port = 0): Promise<RunningTollgate> {
  const app = await buildApp({ env: testEnv(env), logger: false })
  t.after(() => app.close())
  let jwksRequests = 0
  app.addHook('onRequest', async (request) => {
    if (request.url === '/.well-known/jwks.json') jwksRequests++
  })
  await app.listen({ host: '127.0.0.1', port })
  const listening = (app.server.address() as AddressInfo).port
  const base = `http://127.0.0.1:${listening}`

  async function clientToken (clientId: string, scopes: string[]): Promise<string> {
    if (await app.clients.repository.find(clientId) === undefined) {
      await app.clients.repository.create({ id: clientId, secretHash: hashClientSecret(CLIENT_SECRET), scopes })
    }
    const response = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: CLIENT_SECRET })
    })
    if (response.status !== 200) throw new Error(`client credentials grant failed: ${response.status} ${await response.text()}`)
    return (await response.json() as { access_token: string }).access_token
  }

  return { app, port: listening, jwksUrl: `${base}/.well-known/jwks.json`, jwksRequests: () => jwksRequests, clientToken }
}

/** Another team's Fastify service trusting Tollgate through `tollgateAuth`, with one route per guard. */
export async function startService (t: Teardown, options: AuthPluginOptions): Promise<FastifyInstance> {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(tollgateAuth, options)
  app.get('/whoami', { config: { auth: true } }, async (request) => ({ sub: request.user.sub }))
  app.get('/reports', { config: { auth: { scopes: ['reports:read'] } } }, async () => ({ reports: [] }))
  await app.ready()
  return app
}

/** The status a token gets from one of the service's routes (`/whoami` by default). */
export async function statusFor (service: FastifyInstance, token: string, url = '/whoami'): Promise<number> {
  return (await service.inject({ url, headers: bearer(token) })).statusCode
}
