import { createPublicKey } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { jwtVerify } from 'jose'
import t from 'tap'
import { casesToMeasure } from '../../bench/lib/cases.js'
import { floorTables, operationCosts } from '../../bench/lib/floors.js'
import { measure } from '../../bench/lib/measure.js'
import { generateKeyPair } from '@tollgate/auth/tokens/keys'
import { table } from '../../bench/lib/table.js'
import { verifyCosts } from '../../bench/lib/verify-cost.js'
import { TEST_SECRET } from '../helper.js'
import { TEST_ISSUER } from '../support/forge.js'
import { sampleValue, scrape } from '../support/prometheus.js'
import { writeKeyPair } from '../service/keys.js'

// The servers run compiled, as `npm run bench` runs them.
const serverScript = join(import.meta.dirname, '..', '..', 'dist', 'bench', 'servers', 'tollgate.js')

t.test('the benchmark harness starts a Tollgate server, loads its protected route and reads its stats', async (t) => {
  t.ok(existsSync(serverScript), `${serverScript} is missing: run \`npm run build\` first (npm test does)`)
  const compiled = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'bench', 'lib', 'processes.js')).href
  const { startServer } = await import(compiled) as typeof import('../../bench/lib/processes.js')
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServer('Tollgate', 'tollgate', {
    NODE_ENV: 'production', PUBLIC_URL: TEST_ISSUER, JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'warn', DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`
  })
  t.after(() => server.stop())

  const result = await measure({ url: `${server.url}/bench/protected`, headers: { authorization: `Bearer ${server.info.token}` }, connections: 4, durationSeconds: 1 })
  t.ok(result.total > 0, 'requests were answered')
  t.equal(result.non2xx, 0)
  t.equal(result.errors, 0)

  const refused = await measure({ url: `${server.url}/bench/protected`, connections: 1, durationSeconds: 1 })
  t.equal(refused.non2xx, refused.total, 'without a token every answer is a refusal')

  const stats = await (await fetch(`${server.url}/bench/stats`)).json() as Record<string, number>
  t.ok(stats.heapUsed! > 0 && stats.rss! > 0 && stats.loopDelayP99! >= 0)

  // Metrics are on, as by default: the load was counted, so the bench measures what production runs.
  t.match(server.info.metrics, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
  const served = sampleValue(await scrape(server.info.metrics!), 'tollgate_http_request_duration_seconds_count', { method: 'GET', route: '/bench/protected', status_code: '200' })
  t.ok(served >= result.total, `${served} protected requests counted`)
})

t.test('the grant benchmark gets tokens from Tollgate and from oidc-provider, both ways a client authenticates', async (t) => {
  const dist = (path: string) => pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'bench', 'lib', path)).href
  const { startServer } = await import(dist('processes.js')) as typeof import('../../bench/lib/processes.js')
  const { grantLoad } = await import(dist('grants.js')) as typeof import('../../bench/lib/grants.js')
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const signing = generateKeyPair('ES256')
  const client = generateKeyPair('ES256')
  writeFileSync(join(dir, 'signing.pem'), signing.privatePem)
  writeFileSync(join(dir, 'client.pub'), client.publicPem)
  const clients = { secret: 'a-bench-client-secret', privatePem: client.privatePem }
  const grantEnv = { BENCH_CLIENT_SECRET: clients.secret, BENCH_CLIENT_KEY_FILE: join(dir, 'client.pub') }
  const servers = [
    await startServer('Tollgate', 'tollgate', { NODE_ENV: 'production', PUBLIC_URL: TEST_ISSUER, JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'warn', DATABASE_URL: `sqlite:${join(dir, 'grants.db')}`, ...grantEnv }),
    await startServer('oidc-provider', 'oidc-provider', { JWT_PRIVATE_KEY_FILE: join(dir, 'signing.pem'), ...grantEnv })
  ]
  t.after(() => Promise.all(servers.map((server) => server.stop())))
  for (const server of servers) {
    for (const method of ['client_secret_basic', 'private_key_jwt'] as const) {
      const load = grantLoad(server, method, clients)
      await load.prepare?.(2000)
      const result = await load.run({ connections: 4, durationSeconds: 1 })
      t.ok(result.total > 0, `${server.name}, ${method}: grants answered`)
      t.equal(result.non2xx + result.errors, 0, `${server.name}, ${method}: every one a token`)
    }
  }
})

t.test('the grants that spend a one-use credential or present a workload token get tokens from Tollgate, one each', async (t) => {
  const dist = (path: string) => pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'bench', 'lib', path)).href
  const { startServer } = await import(dist('processes.js')) as typeof import('../../bench/lib/processes.js')
  const { floorRouteLoad, grantLoad } = await import(dist('grants.js')) as typeof import('../../bench/lib/grants.js')
  const { codeLoad, refreshLoad } = await import(dist('session-grants.js')) as typeof import('../../bench/lib/session-grants.js')
  const { clusterKey } = await import(dist('workload-tokens.js')) as typeof import('../../bench/lib/workload-tokens.js')
  const dir = t.testdir()
  const signing = writeKeyPair(dir, 'ES256')
  const jwksFile = join(dir, 'cluster-jwks.json')
  const clients = { secret: 'a-bench-client-secret', privatePem: generateKeyPair('ES256').privatePem, cluster: clusterKey(jwksFile) }
  const env = { NODE_ENV: 'production', PUBLIC_URL: TEST_ISSUER, JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: signing.privateFile, LOG_LEVEL: 'warn' }
  const server = await startServer('Tollgate ES256', 'tollgate', { ...env, DATABASE_URL: `sqlite:${join(dir, 'one-use.db')}`, BENCH_WORKLOAD_JWKS_FILE: jwksFile })
  t.after(() => server.stop())
  const loads = { 'workload token': grantLoad(server, 'workload_token', clients), refresh: refreshLoad(server), 'authorization code': codeLoad(server), 'grant-shaped floor route': floorRouteLoad(server, clients) }
  for (const [name, load] of Object.entries(loads)) {
    // One connection answers fewer than 5000 grants a second, so no credential is sent twice.
    await load.prepare?.(5000)
    const result = await load.run({ connections: 1, durationSeconds: 1 })
    t.ok(result.total > 0, `${name}: grants answered`)
    t.equal(result.unexpected, 0, `${name}: every one a token`)
  }
  // The floor route answers what the token endpoint does, signed with the server's own key.
  const floor = await fetch(`${server.url}/bench/floor`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('bench-basic:s').toString('base64')}` }, body: 'grant_type=client_credentials' })
  t.equal(floor.headers.get('cache-control'), 'no-store')
  const { payload } = await jwtVerify((await floor.json() as { access_token: string }).access_token, createPublicKey(signing.publicPem))
  t.match(payload, { sub: 'bench-basic', aud: 'tollgate-api', iss: TEST_ISSUER })
  // A credential spent is refused when it comes again: what a pool the server outran would show.
  const spent = refreshLoad(server)
  await spent.prepare?.(1)
  const again = await spent.run({ connections: 1, durationSeconds: 1 })
  t.equal(again.unexpected, again.total - 1, 'only the first use of a refresh token is accepted')
})

t.test('--profile: a Tollgate server writes its CPU profile, named after it, when it stops; at LOG_LEVEL=info its log is read and counted', async (t) => {
  const compiled = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'bench', 'lib', 'processes.js')).href
  const { profileArgs, startServer } = await import(compiled) as typeof import('../../bench/lib/processes.js')
  const dir = t.testdir()
  const profiles = join(dir, 'profiles')
  const name = 'Tollgate HS256, LOG_LEVEL=info'
  // Logged before it listens too: the announcement is found among the log lines. REQUEST_LOG=all logs
  // every request, so the log is long enough to show it is read as it comes.
  const server = await startServer(name, 'tollgate', {
    NODE_ENV: 'production', PUBLIC_URL: TEST_ISSUER, JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'info', REQUEST_LOG: 'all', DATABASE_URL: `sqlite:${join(dir, 'profiled.db')}`
  }, profileArgs(profiles, name))
  t.match(server.info.token, /^eyJ/)
  const result = await measure({ url: `${server.url}/bench/open`, connections: 2, durationSeconds: 1 })
  t.equal(result.unexpected, 0)
  for (let wait = 0; wait < 50 && server.loggedBytes() < result.total * 100; wait++) await new Promise((resolve) => setTimeout(resolve, 100))
  t.ok(server.loggedBytes() >= result.total * 100, `${server.loggedBytes()} bytes logged for ${result.total} requests`)
  await server.stop()
  t.same(readdirSync(profiles), ['tollgate-hs256-log-level-info.cpuprofile'])
  const profile = JSON.parse(readFileSync(join(profiles, 'tollgate-hs256-log-level-info.cpuprofile'), 'utf8')) as { nodes: unknown[] }
  t.ok(profile.nodes.length > 0, 'a V8 CPU profile')
})

t.test('a grant case is measured with the open route its floor starts from, a LOG_LEVEL=info case with its case at warn', async (t) => {
  t.same([...casesToMeasure(['grant-es-basic-info', 'refresh-hs', 'rs-none'])].sort(),
    ['floor-es', 'floor-hs', 'grant-es-basic', 'grant-es-basic-info', 'open', 'open-es', 'refresh-hs', 'rs-none'])
  t.same([...casesToMeasure(['es256-info'])].sort(), ['es256', 'es256-info'], 'no floor: not a grant')
  t.ok(casesToMeasure(undefined).has('code-es'), 'every case without --cases')
})

t.test('a grant\'s floor is the open route\'s CPU on its server plus the cryptography it must do, and the table says so', async (t) => {
  const costs = operationCosts(5)
  t.same(Object.keys(costs), ['HS256 sign', 'ES256 sign', 'ES256 verify', 'SHA-256'])
  for (const cost of Object.values(costs)) t.ok(cost > 0)
  const cpu = (id: string) => ({ 'grant-es-basic': 200, 'open-es': 50, 'code-es': 900, 'floor-es': 120 })[id]
  const tables = floorTables([{ id: 'grant-es-basic', label: 'Tollgate ES256, grant' }, { id: 'code-es', label: 'code' }, { id: 'open-es', label: 'open' }],
    cpu, { 'HS256 sign': 2, 'ES256 sign': 30, 'ES256 verify': 70, 'SHA-256': 1 })
  t.match(tables, '| Tollgate ES256, grant | 200.0           | 81.0     | 2.47×          | 120.0             | 1.67×                   |')
  // The route hashed a secret and signed; a code redemption hashes three times and signs: two hashes more.
  t.match(tables, /\| code +\| 900\.0 +\| 83\.0 +\| 10\.84× +\| 122\.0 +\| 7\.38× +\|/)
  t.match(tables, 'open-es 50.0 + SHA-256 of the client secret 1.0 + ES256 sign of the access token 30.0')
  t.match(tables, /\| code-es +\| 83\.0 +\| open-es 50\.0 \+ SHA-256 of the PKCE verifier 1\.0/)
  t.notMatch(tables, /\| open /, 'a case without a floor has no row')
  t.equal(floorTables([{ id: 'grant-hs-basic', label: 'HS256' }], cpu, costs).includes('HS256 |'), false, 'nor one whose open route was not measured')
})

t.test('the relying-service app runs each guard, and a load of refusals or of distinct tokens is measured as such', async (t) => {
  const compiled = (file: string) => pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'bench', 'lib', file)).href
  const { startServer } = await import(compiled('processes.js')) as typeof import('../../bench/lib/processes.js')
  const { distinctTokens, expiredToken, badSignature, malformed } = await import(compiled('tokens.js')) as typeof import('../../bench/lib/tokens.js')
  const claims = { issuer: 'tollgate', audience: 'tollgate-api' }
  const tokens = distinctTokens(TEST_SECRET, 3, claims)
  t.equal(new Set(tokens).size, 3)

  for (const guard of ['none', 'tollgate', 'fastify-jwt', 'fastify-jwt-cache', 'jose']) {
    const server = await startServer(guard, 'relying-service', { GUARD: guard, JWT_SECRET: TEST_SECRET })
    t.after(() => server.stop())
    const url = `${server.url}/bench/protected`
    const accepted = await measure({ url, tokens, connections: 2, durationSeconds: 1 })
    t.ok(accepted.total > 0 && accepted.unexpected === 0, `${guard}: distinct tokens are accepted`)
    if (guard === 'none') {
      const wrong = await measure({ url, expectStatus: 401, connections: 1, durationSeconds: 1 })
      t.equal(wrong.unexpected, wrong.total, 'a 200 where 401 is expected counts as unexpected')
      continue
    }
    // The refusal floods are measured on tollgateAuth only (@fastify/jwt answers a malformed payload with a 500).
    if (guard !== 'tollgate') continue
    const key = writeKeyPair(t.testdir(), 'ES256')
    for (const token of [expiredToken('ES256', key.privatePem, claims), badSignature(tokens[0]!), malformed(tokens[0]!)]) {
      const refused = await measure({ url, headers: { authorization: `Bearer ${token}` }, expectStatus: 401, connections: 1, durationSeconds: 1 })
      t.ok(refused.total > 0 && refused.unexpected === 0, `${guard}: every answer is the expected 401`)
    }
  }
})

t.test('verification costs are measured for every algorithm', async (t) => {
  const costs = verifyCosts(20)
  t.same(costs.map((c) => c.algorithm), ['HS256', 'RS256', 'ES256', 'EdDSA'])
  for (const cost of costs) t.ok(cost.opsPerSecond > 0)
})

t.test('tables are Markdown with padded columns', async (t) => {
  t.equal(table(['a', 'bb'], [['ccc', 'd']]), '| a   | bb |\n| --- | -- |\n| ccc | d  |')
})
