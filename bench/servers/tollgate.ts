import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Type } from '@sinclair/typebox'
import { buildApp } from '../../app.js'
import { parseClientKey } from '../../src/clients/client-keys.js'
import { hashClientSecret, newClientSecret } from '../../src/clients/client-secrets.js'
import { s256 } from '../../src/oauth/grants/authorization-code.js'
import { CODE_CLIENT, CODE_REDIRECT_URI, EXCHANGE_TARGET, MAX_MINTED, WORKLOAD_ISSUER, WORKLOAD_SUBJECT, WORKLOAD_TOKEN_LIFETIME } from '../lib/fixtures.js'
import { addFloorRoute } from './floor-route.js'
import { announce, stats } from './report.js'

/**
 * Tollgate as configured by the environment, plus three routes of one shape for the benchmark: open,
 * protected, and protected with a role. They return the same body size, so the only difference between
 * them is the guard. Two more make one-use credentials for the grants that spend them.
 */
const app = await buildApp({ env: process.env })
const Body = { response: { 200: Type.Object({ sub: Type.String() }) } }
app.get('/bench/open', { schema: Body }, async () => ({ sub: 'anonymous-caller-0000000000000000000' }))
app.get('/bench/protected', { schema: Body, config: { auth: true } }, async (request) => ({ sub: request.user.sub }))
app.get('/bench/admin', { schema: Body, config: { auth: { roles: ['admin'] } } }, async (request) => ({ sub: request.user.sub }))
addFloorRoute(app)
app.get('/bench/stats', async (request) => stats((request.query as { reset?: string }).reset === '1'))

// The bench user's sessions and codes, made in this process: argon2 logins would take minutes for a pool.
const Count = { querystring: Type.Object({ count: Type.Integer({ minimum: 1, maximum: MAX_MINTED }) }) }
let userId = ''
app.post('/bench/refresh-tokens', { schema: Count }, async (request) => {
  const tokens: string[] = []
  for (let i = 0; i < (request.query as { count: number }).count; i++) tokens.push((await app.sessions.refreshTokens.startFamily(userId)).token)
  return tokens
})
app.post('/bench/codes', { schema: Count }, async (request) => {
  const codes: Array<{ code: string, verifier: string }> = []
  for (let i = 0; i < (request.query as { count: number }).count; i++) {
    const verifier = randomBytes(32).toString('base64url')
    const binding = { clientId: CODE_CLIENT, userId, redirectUri: CODE_REDIRECT_URI, codeChallenge: s256(verifier), scope: '', resource: app.config.JWT_AUDIENCE }
    codes.push({ code: await app.oauth.codes.issue(binding), verifier })
  }
  return codes
})
await app.ready()

const username = process.env.BENCH_USERNAME ?? 'bench'
const password = 'bench-password-not-secret'
if (await app.users.findByUsername(username) === undefined) {
  await app.users.create({ username, passwordHash: await app.passwords.hash(password), roles: ['admin'] })
}
userId = (await app.users.findByUsername(username))!.id

// The cluster whose service-account tokens the federated client presents, its keys in a JWKS file.
const jwksFile = process.env.BENCH_WORKLOAD_JWKS_FILE
if (jwksFile !== undefined && await app.clients.federation.issuers.find('bench-cluster') === undefined) {
  await app.clients.federation.issuers.add({ name: 'bench-cluster', issuer: WORKLOAD_ISSUER, jwksUri: undefined, jwksFile, maxLifetime: WORKLOAD_TOKEN_LIFETIME })
  await app.clients.federation.trusted.sync()
}
// The grants' clients, as the runner (and, for the first two, the oidc-provider peer) know them.
const clients = [
  // It also introspects its own tokens, for the introspection benchmark, and exchanges the user's, for the exchange one.
  {
    id: 'bench-basic',
    secretHash: hashClientSecret(process.env.BENCH_CLIENT_SECRET ?? newClientSecret()),
    permissions: ['introspect' as const, 'token-exchange' as const],
    audiences: [EXCHANGE_TARGET]
  },
  ...(process.env.BENCH_CLIENT_KEY_FILE === undefined ? [] : [{ id: 'bench-key', publicKey: parseClientKey(readFileSync(process.env.BENCH_CLIENT_KEY_FILE, 'utf8')).pem }]),
  ...(jwksFile === undefined ? [] : [{ id: 'bench-orders', federated: { issuer: 'bench-cluster', subject: WORKLOAD_SUBJECT } }])
]
for (const client of clients) {
  if (await app.clients.repository.find(client.id) === undefined) await app.clients.repository.create({ ...client, scopes: ['api:read'] })
}
if (await app.clients.repository.find(CODE_CLIENT) === undefined) {
  await app.clients.repository.create({ id: CODE_CLIENT, public: true, redirectUris: [CODE_REDIRECT_URI], scopes: [] })
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
