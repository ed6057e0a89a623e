/**
 * Tollgate's layers, lowest first: a module may import its own layer and those below it, never one above.
 * ARCHITECTURE.md draws the same picture; `npm run lint` checks it.
 */
const LAYERS = [
  { name: 'the verifier package', path: '^packages/auth/' },
  { name: 'base', path: '^src/(code-points|periodic|redis-channel|redis-client)\\.ts$|^src/db/' },
  { name: 'tokens', path: '^src/tokens/' },
  { name: 'config and revocations', path: '^src/(config|revocations|users|logging)/' },
  { name: 'passwords', path: '^src/(passwords|health)/' },
  { name: 'sessions', path: '^src/sessions/' },
  { name: 'accounts and clients', path: '^src/(accounts|clients)/' },
  { name: 'oauth', path: '^src/oauth/' },
  { name: 'http and metrics', path: '^src/(http|metrics)/' },
  { name: 'core', path: '^src/(core|token-service-from-config)\\.ts$' },
  { name: 'plugins and cli', path: '^(plugins|cli)/' },
  { name: 'routes and entry points', path: '^(routes/|app\\.ts$|server\\.ts$|index\\.ts$|cli\\.ts$|auth\\.ts$)' }
]

const layerRules = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer.name.replace(/\W+/g, '-')}`,
  comment: `${layer.name} must not import a layer above it`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(index + 1).map((above) => above.path).join('|') }
}))

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'verifier-stands-alone',
      comment: '@tollgate/auth is installed on its own: it imports nothing of the server',
      severity: 'error',
      from: { path: '^packages/auth/' },
      to: { pathNot: '^packages/auth/|node_modules/', dependencyTypesNot: ['core'] }
    },
    {
      name: 'verifier-stays-light',
      comment: '@tollgate/auth must not reach a store, Redis, password hashing or the server\'s documentation',
      severity: 'error',
      from: { path: '^packages/auth/' },
      to: {
        reachable: true,
        path: 'node_modules/(argon2|better-sqlite3|pg|ioredis|kysely|@fastify/(swagger|swagger-ui|rate-limit|formbody))/'
      }
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    {
      name: 'no-test-imports',
      comment: 'shipped code never imports the tests',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^test/' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['tollgate-source', 'import', 'require', 'node', 'default', 'types'] }
  }
}
