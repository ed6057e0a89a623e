import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { runCli } from '../../cli/main.js'
import * as keys from '@tollgate/auth/tokens/keys'
import { generateKeyPair, loadPublicKey, loadSigningKey } from '@tollgate/auth/tokens/keys'
import { build, createUser, login } from '../helper.js'
import { cli, fileEnv, isOneErrorLine } from './run-cli.js'

const KID = /kid ([A-Za-z0-9_-]{43}):/

const mode = (path: string): number => statSync(path).mode & 0o777

/** The kid and the files `keys generate` said it wrote. */
function printed (stdout: string) {
  const kid = KID.exec(stdout)?.[1]
  const privateFile = /^ {2}JWT_PRIVATE_KEY_FILE=(.+)$/m.exec(stdout)?.[1]
  if (kid === undefined || privateFile === undefined) throw new Error(`no kid or key file in: ${stdout}`)
  return { kid, privateFile, publicFile: privateFile.replace(/\.private\.pem$/, '.public.pem') }
}

const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'))

t.test('keys generate writes a key pair named by its kid, private 0600, public 0644, in a new 0700 folder', async (t) => {
  for (const algorithm of ['ES256', 'RS256', 'EdDSA'] as const) {
    const dir = join(t.testdir(), 'secrets', 'keys')
    // No store is opened: a configuration that could not start the server does not matter here.
    const env = { ...fileEnv(t.testdir()), DATABASE_URL: 'mysql://nowhere/tollgate' }
    const { code, stdout, stderr } = await cli(['keys', 'generate', '--alg', algorithm, '--out', dir], env)
    t.equal(code, 0, stderr)
    t.equal(stderr, '')
    const { kid, privateFile, publicFile } = printed(stdout)
    t.equal(privateFile, join(dir, `${kid}.private.pem`), 'the private key is named by its kid')
    t.match(stdout, `${publicFile}  (public)`)
    t.match(stdout, `\n  JWT_ALGORITHM=${algorithm}\n  JWT_PRIVATE_KEY_FILE=${privateFile}\n`)
    t.match(stdout, 'JWT_RETIRED_KEY_FILES')
    t.notMatch(stdout, 'PRIVATE KEY', 'the key itself is not printed')

    t.equal(mode(dir), 0o700, `${algorithm}: the folder`)
    t.equal(mode(privateFile), 0o600, `${algorithm}: the private key`)
    t.equal(mode(publicFile), 0o644, `${algorithm}: the public key`)
    t.equal(loadSigningKey(algorithm, readFileSync(privateFile)).kid, kid, `${algorithm}: the private key loads, with the printed kid`)
    t.equal(loadPublicKey(algorithm, readFileSync(publicFile)).kid, kid, `${algorithm}: the public key is its other half`)
  }
})

t.test('the printed lines configure a server that signs with the new key', async (t) => {
  const dir = t.testdir()
  const { code, stdout } = await cli(['keys', 'generate', '--alg', 'eddsa', '--out', dir], undefined)
  t.equal(code, 0, 'the algorithm is matched in any case')
  const { kid, privateFile } = printed(stdout)
  t.match(stdout, 'JWT_ALGORITHM=EdDSA\n')

  const app = await build(t, { JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY_FILE: privateFile })
  const token = await login(app, await createUser(app))
  t.match(header(token), { alg: 'EdDSA', kid }, 'tokens name the new key')
  const jwks = await app.inject({ url: '/.well-known/jwks.json' })
  t.same(jwks.json().keys.map((key: { kid: string }) => key.kid), [kid])
})

t.test('without --out the keys go to ./keys', async (t) => {
  const dir = t.testdir()
  const cwd = process.cwd()
  t.teardown(() => process.chdir(cwd))
  process.chdir(dir)
  const { code, stdout, stderr } = await cli(['keys', 'generate', '--alg', 'ES256'], fileEnv(dir))
  t.equal(code, 0, stderr)
  const { kid, privateFile } = printed(stdout)
  t.equal(privateFile, join(dir, 'keys', `${kid}.private.pem`), 'printed as a full path, which works from any folder')
  t.ok(existsSync(privateFile))
})

t.test('the retirement advice names the key in use now, after those already retired', async (t) => {
  const dir = t.testdir()
  const sameAlgorithm = { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: '/etc/tollgate/old.pem', JWT_RETIRED_KEY_FILES: '/etc/tollgate/older.pem' }
  const replacing = await cli(['keys', 'generate', '--alg', 'ES256', '--out', dir], sameAlgorithm)
  t.match(replacing.stdout, '\n  JWT_RETIRED_KEY_FILES=/etc/tollgate/older.pem,/etc/tollgate/old.pem\n')

  const first = await cli(['keys', 'generate', '--alg', 'ES256', '--out', dir], { JWT_ALGORITHM: 'ES256' })
  t.match(first.stdout, 'JWT_RETIRED_KEY_FILES=<the old key\'s .pem file>')

  const fromSecret = await cli(['keys', 'generate', '--alg', 'RS256', '--out', dir], fileEnv(dir))
  t.match(fromSecret.stdout, 'Tokens signed under JWT_ALGORITHM=HS256 stop verifying once it becomes RS256')
})

t.test('keys generate never replaces a file, and leaves no half pair behind', async (t) => {
  const pair = generateKeyPair('ES256')
  // The kid is random otherwise: load the CLI with a key generator that always returns the same pair
  // (a mock handed to main.js did not reach keys-command.js's own import, hence two steps).
  const keysCommand = await t.mockImport<typeof import('../../cli/keys-command.js')>('../../cli/keys-command.js', {
    '@tollgate/auth/tokens/keys': { ...keys, generateKeyPair: () => pair }
  })
  const { runCli: run } = await t.mockImport<{ runCli: typeof runCli }>('../../cli/main.js', { '../../cli/keys-command.js': keysCommand })
  const generate = (dir: string) => cli(['keys', 'generate', '--alg', 'ES256', '--out', dir], undefined, '', run)
  const privateName = `${pair.kid}.private.pem`
  const publicName = `${pair.kid}.public.pem`

  const dir = t.testdir()
  t.equal((await generate(dir)).code, 0)
  const again = await generate(dir)
  t.equal(again.code, 1)
  t.equal(again.stdout, '')
  t.ok(isOneErrorLine(again.stderr), again.stderr)
  t.match(again.stderr, `${privateName}" already exists; nothing was written`)

  const privateTaken = t.testdir({ [privateName]: 'keep me' })
  t.equal((await generate(privateTaken)).code, 1)
  t.equal(readFileSync(join(privateTaken, privateName), 'utf8'), 'keep me')
  t.notOk(existsSync(join(privateTaken, publicName)))

  const publicTaken = t.testdir({ [publicName]: 'keep me' })
  const refused = await generate(publicTaken)
  t.equal(refused.code, 1)
  t.match(refused.stderr, `${publicName}" already exists`)
  t.equal(readFileSync(join(publicTaken, publicName), 'utf8'), 'keep me')
  t.notOk(existsSync(join(publicTaken, privateName)), 'no private key without its public half')
})

t.test('keys generate into a folder that cannot be made is one line and exit code 1', async (t) => {
  const dir = t.testdir({ 'not-a-folder': 'a file' })
  const { code, stdout, stderr } = await cli(['keys', 'generate', '--alg', 'ES256', '--out', join(dir, 'not-a-folder')], undefined)
  t.equal(code, 1)
  t.equal(stdout, '')
  t.ok(isOneErrorLine(stderr), stderr)
  t.match(stderr, /^tollgate: cannot write the key into ".*not-a-folder": /)
})

t.test('a missing or unknown --alg exits 2 with one line, and writes nothing', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [[], /--alg is required: ES256, RS256 or EdDSA/],
    [['--alg', 'HS256'], /HS256 signs with JWT_SECRET, not a key pair: `tollgate secret` makes one/],
    [['--alg', 'none'], /unknown algorithm "none"; --alg takes ES256, RS256 or EdDSA/],
    [['--alg', 'ES512'], /unknown algorithm "ES512"/],
    [['--alg', ''], /unknown algorithm ""/],
    [['--alg'], /option '--alg <value>' argument missing/],
    [['--alg', 'ES256', 'extra'], /unexpected argument "extra"/]
  ]
  for (const [args, reason] of cases) {
    const dir = join(t.testdir(), 'keys')
    const { code, stdout, stderr } = await cli(['keys', 'generate', '--out', dir, ...args], undefined)
    t.equal(code, 2, args.join(' '))
    t.equal(stdout, '')
    t.ok(isOneErrorLine(stderr), stderr)
    t.match(stderr, reason)
    t.match(stderr, /\(see `tollgate keys generate --help`\)\n$/)
    t.notOk(existsSync(dir), 'nothing is written')
  }
})

t.test('keys generate --help shows its usage', async (t) => {
  const { code, stdout } = await cli(['keys', 'generate', '--help'], undefined)
  t.equal(code, 0)
  t.match(stdout, /^Usage: tollgate keys generate --alg ES256\|RS256\|EdDSA \[--out DIR\]\n/)
})
