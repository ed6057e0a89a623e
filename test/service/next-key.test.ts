import t from 'tap'
import { cli } from '../cli/run-cli.js'
import { bearer, build, createUser, login } from '../helper.js'
import { sqliteFile, writeKeyPair } from './keys.js'
import { startService, startTollgate, statusFor, TOLLGATE_CLAIMS } from './running-tollgate.js'

/** The variables `keys rotate` printed. */
const rotated = (stdout: string): Record<string, string> =>
  Object.fromEntries([...stdout.matchAll(/^ {2}(JWT_[A-Z_]+)=(.*)$/gm)].map(([, name, value]) => [name!, value!]))

t.test('a service that fetched the key set before a rotation verifies the first token of the new key without fetching again', async (t) => {
  const dir = t.testdir()
  const current = writeKeyPair(dir, 'ES256', 'current')
  const next = writeKeyPair(dir, 'ES256', 'next')
  const env = { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: current.privateFile, JWT_NEXT_KEY_FILE: next.privateFile, DATABASE_URL: sqliteFile(dir) }

  const before = await startTollgate(t, env)
  const jwks = (await (await fetch(before.jwksUrl)).json()) as { keys: Array<{ kid: string }> }
  t.same(jwks.keys.map((key) => key.kid), [current.kid, next.kid], 'the next key is published before it signs')
  // Any unknown kid would be fetched for at once: only holding the key already avoids a fetch.
  const service = await startService(t, { ...TOLLGATE_CLAIMS, jwksUrl: before.jwksUrl, refetchIntervalMs: 0 })
  t.equal(before.jwksRequests(), 2, 'the service fetched the key set once (and the test once)')
  const old = await before.clientToken('reporter', ['reports:read'])
  await before.app.close()

  const { code, stdout } = await cli(['keys', 'rotate'], env)
  t.equal(code, 0)
  // Same port, so the service's JWKS URL now reaches the rotated Tollgate.
  const after = await startTollgate(t, { ...env, ...rotated(stdout) }, before.port)
  const fresh = await after.clientToken('reporter', ['reports:read'])
  t.equal(JSON.parse(Buffer.from(fresh.split('.')[0]!, 'base64url').toString()).kid, next.kid, 'the new token is signed by the former next key')

  t.equal(await statusFor(service, fresh, '/reports'), 200, 'the first token of the new key is accepted')
  t.equal(await statusFor(service, old, '/reports'), 200, 'and those of the retired key still are')
  t.equal(after.jwksRequests(), 0, 'without a single fetch of the key set')
})

t.test('during a rolling restart, an instance not restarted yet accepts the tokens of one already signing with the next key', async (t) => {
  const dir = t.testdir()
  const current = writeKeyPair(dir, 'RS256', 'current')
  const next = writeKeyPair(dir, 'RS256', 'next')
  const env = { JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY_FILE: current.privateFile, JWT_NEXT_KEY_FILE: next.privateFile, DATABASE_URL: sqliteFile(dir) }
  const { stdout } = await cli(['keys', 'rotate'], env)
  const restarted = await build(t, { ...env, ...rotated(stdout) })
  const waiting = await build(t, env)
  const alice = await createUser(restarted)
  for (const [signer, verifier] of [[restarted, waiting], [waiting, restarted]] as const) {
    const response = await verifier.inject({ url: '/users/me', headers: bearer(await login(signer, alice)) })
    t.equal(response.statusCode, 200)
  }
})

t.test('a next key that is the signing key, or a retired one, stops Tollgate at start', async (t) => {
  const dir = t.testdir()
  const current = writeKeyPair(dir, 'EdDSA', 'current')
  const old = writeKeyPair(dir, 'EdDSA', 'old')
  const base = { JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY_FILE: current.privateFile }
  await t.rejects(build(t, { ...base, JWT_NEXT_KEY_FILE: current.privateFile }), { name: 'ConfigError', variable: 'JWT_NEXT_KEY_FILE', message: /names the key JWT_PRIVATE_KEY_FILE signs with/ })
  await t.rejects(build(t, { ...base, JWT_RETIRED_KEY_FILES: old.publicFile, JWT_NEXT_KEY_FILE: old.privateFile }), { name: 'ConfigError', variable: 'JWT_NEXT_KEY_FILE', message: /names a key listed in JWT_RETIRED_KEY_FILES/ })
  await t.rejects(build(t, { ...base, JWT_NEXT_KEY_FILE: current.publicFile }), { name: 'ConfigError', variable: 'JWT_NEXT_KEY_FILE', message: /is not a usable key/ }, 'a private key: it will sign')
})
