import { readFileSync } from 'node:fs'
import { Type } from '@sinclair/typebox'
import { buildApp } from '../../app.js'
import { parseClientKey } from '../../src/clients/client-keys.js'
import { hashClientSecret, newClientSecret } from '../../src/clients/client-secrets.js'
import { EXCHANGE_TARGET } from '../lib/exchanges.js'
import { announce, stats } from './report.js'

/**
 * Tollgate as configured by the environment, plus three routes of one shape for the benchmark: open,
 * protected, and protected with a role. They return the same body size, so the only difference between
 * them is the guard.
 */
const app = await buildApp({ env: process.env })
const Body = { response: { 200: Type.Object({ sub: Type.String() }) } }
app.get('/bench/open', { schema: Body }, async () => ({ sub: 'anonymous-caller-0000000000000000000' }))
app.get('/bench/protected', { schema: Body, config: { auth: true } }, async (request) => ({ sub: request.user.sub }))
app.get('/bench/admin', { schema: Body, config: { auth: { roles: ['admin'] } } }, async (request) => ({ sub: request.user.sub }))
app.get('/bench/stats', async (request) => stats((request.query as { reset?: string }).reset === '1'))
await app.ready()

const username = process.env.BENCH_USERNAME ?? 'bench'
const password = 'bench-password-not-secret'
if (await app.users.findByUsername(username) === undefined) {
  await app.users.create({ username, passwordHash: await app.passwords.hash(password), roles: ['admin'] })
}
// The client credentials grant's two clients, as the runner (and the oidc-provider peer) know them.
const clients = [
  // It also introspects its own tokens, for the introspection benchmark, and exchanges the user's, for the exchange one.
  {
    id: 'bench-basic',
    secretHash: hashClientSecret(process.env.BENCH_CLIENT_SECRET ?? newClientSecret()),
    permissions: ['introspect' as const, 'token-exchange' as const],
    audiences: [EXCHANGE_TARGET]
  },
  ...(process.env.BENCH_CLIENT_KEY_FILE === undefined ? [] : [{ id: 'bench-key', publicKey: parseClientKey(readFileSync(process.env.BENCH_CLIENT_KEY_FILE, 'utf8')).pem }])
]
for (const client of clients) {
  if (await app.clients.repository.find(client.id) === undefined) await app.clients.repository.create({ ...client, scopes: ['api:read'] })
}
const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } })
if (login.statusCode !== 200) throw new Error(`bench login failed: ${login.body}`)
await app.listen({ host: '127.0.0.1', port: 0 })
// As the server does, unless METRICS_PORT=0; on any free port, since the bench runs several of these.
const metrics = app.metrics === undefined ? {} : { metrics: await app.metrics.listen({ port: 0 }) }
const address = app.server.address()
announce(typeof address === 'object' && address !== null ? address.port : 0, {
  token: login.json().access_token, username, password, assertionAudience: app.config.JWT_ISSUER, tokenPath: '/auth/token', introspectionPath: '/auth/introspect', ...metrics
})

// A clean exit on SIGTERM, so `--cpu-prof` writes its profile and the store closes.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
}
