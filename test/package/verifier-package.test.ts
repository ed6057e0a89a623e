import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { signingEnv, writeKeyPair } from '../service/keys.js'
import { startTollgate, TOLLGATE_CLAIMS } from '../service/running-tollgate.js'
import { installDependencies, packVerifier } from '../support/verifier-package.js'

const run = promisify(execFile)

/** A relying service as another team would write it: plain JavaScript against `@tollgate/auth` alone. */
const SERVICE = `
import Fastify from 'fastify'
import { tollgateAuth } from '@tollgate/auth'

const app = Fastify()
await app.register(tollgateAuth, JSON.parse(process.env.AUTH_OPTIONS))
app.get('/reports', { config: { auth: { scopes: ['reports:read'] } } }, async () => ({ reports: [] }))
const statuses = {}
for (const [name, token] of JSON.parse(process.env.TOKENS)) {
  const response = await app.inject({ url: '/reports', headers: token === undefined ? {} : { authorization: 'Bearer ' + token } })
  statuses[name] = response.statusCode
}
await app.close()
process.stdout.write(JSON.stringify(statuses))
`

/**
 * What `@tollgate/auth` may bring besides Fastify's own: itself, fast-jwt and what it stands on (@lukeed/ms for durations, asn1.js
 * and ecdsa-sig-formatter for ECDSA, mnemonist for its cache), the plugin wrapper, the LRU of verified
 * tokens, the feed's event-stream parser and the error schema's TypeBox.
 */
const VERIFIER_PACKAGES = [
  '@tollgate/auth', 'fast-jwt', '@lukeed/ms', 'asn1.js', 'bn.js', 'inherits', 'minimalistic-assert', 'safer-buffer', 'ecdsa-sig-formatter', 'safe-buffer',
  'mnemonist', 'obliterator', 'fastify-plugin', 'quick-lru', 'eventsource-parser', '@sinclair/typebox'
]

/** Every package installed under `modules`, scoped ones included, with whether it carries a native addon. */
function installedPackages (modules: string): Array<{ name: string, native: boolean }> {
  const found: Array<{ name: string, native: boolean }> = []
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue
    const names = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`) : [entry]
    for (const name of names) {
      const dir = join(modules, name)
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { gypfile?: boolean, scripts?: Record<string, string> }
      const native = manifest.gypfile === true || existsSync(join(dir, 'binding.gyp')) || manifest.scripts?.install !== undefined
      found.push({ name, native })
      if (existsSync(join(dir, 'node_modules'))) found.push(...installedPackages(join(dir, 'node_modules')))
    }
  }
  return found
}

t.test('the verifier package installs alone into an empty Fastify app, with no native addon, and verifies Tollgate\'s tokens', async (t) => {
  t.setTimeout(180_000)
  const root = t.testdir({
    app: {
      'package.json': JSON.stringify({ name: 'reports-service', private: true, type: 'module', dependencies: { fastify: '^5.0.0', '@tollgate/auth': 'file:../tollgate-auth.tgz' } }),
      'service.mjs': SERVICE
    },
    bare: { 'package.json': JSON.stringify({ name: 'bare-service', private: true, type: 'module', dependencies: { fastify: '^5.0.0' } }) },
    keys: {}
  })
  const { filename, paths } = await packVerifier(root)
  t.ok(paths.includes('dist/index.js') && paths.includes('dist/index.d.ts'), 'the package holds its entry and declarations')
  t.same(paths.filter((path) => !path.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(path)), [], 'and no sources')
  renameSync(join(root, filename), join(root, 'tollgate-auth.tgz'))

  const app = join(root, 'app')
  await installDependencies(app)
  await installDependencies(join(root, 'bare'))
  const installed = installedPackages(join(app, 'node_modules'))
  t.same(installed.filter((entry) => entry.native).map((entry) => entry.name), [], 'no package with a native addon or an install script')
  const fastifyAlone = new Set(installedPackages(join(root, 'bare', 'node_modules')).map((entry) => entry.name))
  const added = [...new Set(installed.map((entry) => entry.name))].filter((name) => !fastifyAlone.has(name)).sort()
  t.comment(`@tollgate/auth adds ${added.length} packages to a Fastify app: ${added.join(', ')}`)
  t.same(added.filter((name) => !VERIFIER_PACKAGES.includes(name)), [], 'only the verifier, fast-jwt and the few packages the guard needs')
  for (const name of ['@tollgate/auth', 'fast-jwt', 'fastify-plugin']) t.ok(added.includes(name) || fastifyAlone.has(name), `${name} is installed`)

  const key = writeKeyPair(join(root, 'keys'), 'ES256', 'tollgate')
  const tollgate = await startTollgate(t, signingEnv(key))
  const reader = await tollgate.clientToken('reporter', ['reports:read'])
  const other = await tollgate.clientToken('directory', ['users:read'])
  const { stdout } = await run(process.execPath, ['service.mjs'], {
    cwd: app,
    env: { ...process.env, AUTH_OPTIONS: JSON.stringify({ ...TOLLGATE_CLAIMS, jwksUrl: tollgate.jwksUrl }), TOKENS: JSON.stringify([['none'], ['without the scope', other], ['with the scope', reader]]) }
  })
  t.same(JSON.parse(stdout), { none: 401, 'without the scope': 403, 'with the scope': 200 }, 'guards as the server\'s own routes do')
})
