import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { Environment } from '../../src/config/environment.js'
import { build, createUser, login } from '../helper.js'
import { decodeJwt } from '../support/forge.js'
import { signingEnv, writeKeyPair } from './keys.js'

t.test('a key file that is missing or unfit stops Tollgate at start, naming the variable and never the key', async (t) => {
  const dir = t.testdir()
  const es = writeKeyPair(dir, 'ES256', 'es')
  const ed = writeKeyPair(dir, 'EdDSA', 'ed')
  const weakFile = join(dir, 'weak.key')
  writeFileSync(weakFile, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }))
  const garbageFile = join(dir, 'garbage.key')
  writeFileSync(garbageFile, '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n')

  const cases: Array<[string, Environment, string, RegExp]> = [
    ['a missing private key', { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: join(dir, 'nowhere.key') }, 'JWT_PRIVATE_KEY_FILE', /nowhere\.key, which does not exist/],
    ['a key of another type', signingEnv({ ...ed, algorithm: 'ES256' }), 'JWT_PRIVATE_KEY_FILE', /ES256 needs an EC key on P-256, not ed25519/],
    ['an RSA key under 2048 bits', { JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY_FILE: weakFile }, 'JWT_PRIVATE_KEY_FILE', /RS256 needs an RSA key of at least 2048 bits/],
    ['a file that is no key', { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: garbageFile }, 'JWT_PRIVATE_KEY_FILE', /garbage\.key, which is not a usable key/],
    ['a public key to sign with', { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: es.publicFile }, 'JWT_PRIVATE_KEY_FILE', /is not a usable key/],
    ['a missing retired key', signingEnv(es, [], { JWT_RETIRED_KEY_FILES: join(dir, 'gone.pub') }), 'JWT_RETIRED_KEY_FILES', /gone\.pub, which does not exist/],
    ['a retired key of another algorithm', signingEnv(es, [ed]), 'JWT_RETIRED_KEY_FILES', /ES256 needs an EC key on P-256, not ed25519/]
  ]
  for (const [name, env, variable, reason] of cases) {
    const error = await build(t, env).then(() => undefined, (thrown: unknown) => thrown as Error & { variable?: string })
    t.ok(error, `${name}: refused`)
    t.equal(error?.name, 'ConfigError', name)
    t.equal(error?.variable, variable, name)
    t.match(error?.message, reason, name)
    t.notMatch(error?.message, /BEGIN|bm90IGEga2V5/, `${name}: no key material in the message`)
  }
})

t.test('JWT_RETIRED_KEY_FILES takes private or public PEM files, with spaces and a trailing comma', async (t) => {
  const dir = t.testdir()
  const current = writeKeyPair(dir, 'EdDSA', 'current')
  const older = writeKeyPair(dir, 'EdDSA', 'older')
  const oldest = writeKeyPair(dir, 'EdDSA', 'oldest')
  const app = await build(t, signingEnv(current, [], {
    JWT_RETIRED_KEY_FILES: ` ${older.privateFile} , ${oldest.publicFile},${current.publicFile},`
  }))
  const kids = (await app.inject({ url: '/.well-known/jwks.json' })).json().keys.map((key: { kid: string }) => key.kid)
  t.same(kids.sort(), [current.kid, older.kid, oldest.kid].sort(), 'the signing key named as retired too is listed once')
  t.equal(decodeJwt(await login(app, await createUser(app))).header.kid, current.kid)
})
