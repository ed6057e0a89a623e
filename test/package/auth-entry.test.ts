import t from 'tap'
import { modulesLoadedBy } from './loaded-modules.js'

/**
 * What a service verifying tokens has no use for: Tollgate's store, hashing, Redis, docs and plugins.
 * Each is one the server entry loads (asserted below), so a check that it stays out can fail.
 */
const SERVER_PACKAGES = [
  'argon2', 'better-sqlite3', 'pg', 'ioredis', 'kysely', '@fastify/swagger', '@fastify/swagger-ui',
  '@fastify/autoload', '@fastify/rate-limit', '@fastify/formbody', 'p-limit', 'helmet'
]

/** The only files of Tollgate's own the verifier half may load: `tollgate/auth`, and the verifier package it re-exports. */
const VERIFIER_MODULES = /^(dist\/auth\.js|packages\/auth\/dist\/.+\.js)$/

t.test('tollgate/auth loads the verifier and what it needs, nothing of the server', async (t) => {
  const auth = await modulesLoadedBy(t.testdir(), 'auth.js')
  for (const name of SERVER_PACKAGES) t.notOk(auth.packages.has(name), `${name} is not loaded`)
  for (const name of ['fastify-plugin', 'fast-jwt', 'quick-lru']) t.ok(auth.packages.has(name), `${name} is loaded`)
  const strays = [...auth.own].filter((file) => !VERIFIER_MODULES.test(file))
  t.same(strays, [], 'none of Tollgate\'s own modules beyond the verifier\'s')
  t.ok([...auth.own].some((file) => file.startsWith('packages/auth/dist/')), 'the verifier comes from its own package')

  // The same probe on the whole package sees every one of the server's packages: it is not blind to them.
  const whole = await modulesLoadedBy(t.testdir(), 'index.js')
  for (const name of SERVER_PACKAGES) t.ok(whole.packages.has(name), `the whole package loads ${name}`)
  t.comment(`import time: tollgate/auth ${auth.milliseconds.toFixed(0)} ms, tollgate ${whole.milliseconds.toFixed(0)} ms; packages ${auth.packages.size} and ${whole.packages.size}`)
  t.ok(auth.packages.size * 2 < whole.packages.size, 'fewer than half as many packages')
})
