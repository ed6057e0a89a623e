import { execFile } from 'node:child_process'
import { existsSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { signingEnv, writeKeyPair } from '../service/keys.js'
import { startTollgate, TOLLGATE_CLAIMS } from '../service/running-tollgate.js'
import { accessClaims, signToken } from '../support/forge.js'
import { DIST, ROOT } from './loaded-modules.js'

const run = promisify(execFile)

/**
 * A service as another team would write it, in plain JavaScript against the installed package: one
 * route declared before the plugin, one after, each request's status printed.
 */
const SERVICE = `
import Fastify from 'fastify'
import { tollgateAuth } from 'tollgate/auth'

const app = Fastify()
app.get('/whoami', { config: { auth: true } }, async (request) => ({ sub: request.user.sub }))
await app.register(tollgateAuth, JSON.parse(process.env.AUTH_OPTIONS))
app.get('/reports', { config: { auth: { scopes: ['reports:read'] } } }, async () => ({ reports: [] }))
const statuses = {}
for (const [name, url, token] of JSON.parse(process.env.REQUESTS)) {
  const response = await app.inject({ url, headers: token === undefined ? {} : { authorization: 'Bearer ' + token } })
  statuses[name] = response.statusCode
}
await app.close()
process.stdout.write(JSON.stringify(statuses))
`

/** The same, typed: the package's declarations must give `request.user` its claims. */
const TYPED_SERVICE = `
import Fastify from 'fastify'
import { tollgateAuth, type AccessClaims } from 'tollgate/auth'

const app = Fastify()
await app.register(tollgateAuth, { jwksUrl: 'https://tollgate.example/.well-known/jwks.json', issuer: 'https://tollgate.example', audience: 'reports' })
app.get('/whoami', { config: { auth: { roles: ['reader'] } } }, async (request) => {
  const claims: AccessClaims = request.user
  // @ts-expect-error: the claims are typed, so a claim Tollgate never sets is an error (not so with any)
  return { sub: claims.sub, scope: request.user.scope, other: request.user.nonexistent }
})
// @ts-expect-error: config.auth is typed too
app.get('/typo', { config: { auth: { roles: 'reader' } } }, async () => ({}))
`

t.test('packed and installed into another Fastify app, tollgate/auth verifies Tollgate\'s tokens there', async (t) => {
  t.ok(existsSync(join(DIST, 'auth.js')), 'dist/auth.js is built (`npm test` builds before running tap)')
  const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  // Only the npm registry is reachable here, and installing argon2 and the rest afresh would be slow: the
  // package's dependencies (and fastify) come from this checkout's node_modules, at the versions a user
  // installing from the registry would get. The package itself comes from the tarball alone.
  const linked = Object.fromEntries(Object.keys(dependencies).map((name) => [name, `file:${join(ROOT, 'node_modules', name)}`]))
  const root = t.testdir({
    keys: {},
    app: {
      'package.json': JSON.stringify({ name: 'reports-service', private: true, type: 'module', dependencies: { ...linked, tollgate: 'file:../tollgate.tgz' } }),
      'service.mjs': SERVICE,
      'typed.ts': TYPED_SERVICE,
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['typed.ts'] })
    }
  })
  const app = join(root, 'app')
  const { stdout: packed } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], { cwd: ROOT })
  const [{ filename, files }] = JSON.parse(packed) as [{ filename: string, files: Array<{ path: string }> }]
  const paths = files.map((file) => file.path)
  t.ok(paths.includes('dist/auth.js') && paths.includes('dist/auth.d.ts'), 'the package holds the entry and its declarations')
  t.same(paths.filter((path) => !path.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(path)), [], 'and no sources or tests')
  t.notOk(paths.some((path) => path.startsWith('dist/bench/') || path.endsWith('.map')), 'nor the benchmark or source maps')

  renameSync(join(root, filename), join(root, 'tollgate.tgz'))
  await run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: app })
  t.ok(existsSync(join(app, 'node_modules', 'tollgate', 'dist', 'auth.js')), 'installed from the tarball')

  const key = writeKeyPair(join(root, 'keys'), 'ES256', 'tollgate')
  const tollgate = await startTollgate(t, signingEnv(key))
  const reader = await tollgate.clientToken('reporter', ['reports:read'])
  const other = await tollgate.clientToken('directory', ['users:read'])
  const forged = signToken(accessClaims(), { kid: key.kid }, { alg: 'ES256', privatePem: writeKeyPair(join(root, 'keys'), 'ES256', 'forger').privatePem })
  const requests = [
    ['no token', '/whoami'], ['a token', '/whoami', other], ['forged', '/whoami', forged],
    ['without the scope', '/reports', other], ['with the scope', '/reports', reader]
  ]
  const { stdout } = await run(process.execPath, ['service.mjs'], {
    cwd: app,
    env: { ...process.env, AUTH_OPTIONS: JSON.stringify({ ...TOLLGATE_CLAIMS, jwksUrl: tollgate.jwksUrl }), REQUESTS: JSON.stringify(requests) }
  })
  t.same(JSON.parse(stdout), { 'no token': 401, 'a token': 200, forged: 401, 'without the scope': 403, 'with the scope': 200 },
    'the route declared before the plugin is guarded too')
  t.equal(tollgate.jwksRequests(), 1)

  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  await t.resolves(run(process.execPath, [tsc, '-p', app], { cwd: app }), 'a TypeScript service type-checks against the package')
})
