import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import type { Environment } from '../../src/config/environment.js'
import { bearer, build, createUser } from '../helper.js'
import { cli, fileEnv, isOneErrorLine } from './run-cli.js'

const SECRET = /^[A-Za-z0-9_-]{43}$/

/** An app on the same SQLite file the CLI writes, as a running server would be. */
const serverOn = (t: Test, env: Environment) => build(t, { DATABASE_URL: env.DATABASE_URL })

/** The client credentials grant with HTTP Basic, form-encoding id and secret first (RFC 6749 §2.3.1). */
function grant (app: FastifyInstance, clientId: string, secret: string, scope?: string) {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')
  return app.inject({
    method: 'POST',
    url: '/auth/token',
    headers: { authorization: `Basic ${basic}` },
    payload: { grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) }
  })
}

async function tokenFor (app: FastifyInstance, clientId: string, secret: string): Promise<string> {
  const response = await grant(app, clientId, secret)
  if (response.statusCode !== 200) throw new Error(`grant failed: ${response.statusCode} ${response.body}`)
  return response.json().access_token
}

/** `client add`, returning the secret it printed. */
async function addClient (t: Test, env: Environment, argv: string[]): Promise<string> {
  const added = await cli(['client', 'add', ...argv], env)
  t.equal(added.code, 0, added.stderr)
  return added.stdout.trim()
}

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))

function assertInvalidClient (t: Test, response: Awaited<ReturnType<typeof grant>>, why: string): void {
  t.equal(response.statusCode, 401, why)
  t.equal(response.json().error, 'invalid_client', why)
}

t.test('client add prints only the secret on stdout; with it the client gets a token for its scopes', async (t) => {
  const env = fileEnv(t.testdir())
  const { code, stdout, stderr } = await cli(['client', 'add', 'billing', '--scopes', 'users:read, reports:write,users:read'], env)
  t.equal(code, 0, stderr)
  t.match(stdout, /\n$/)
  const secret = stdout.slice(0, -1)
  t.match(secret, SECRET, 'stdout is the secret and nothing else')
  t.match(stderr, 'Client billing created with the scopes users:read,reports:write')
  t.match(stderr, 'shown once')
  t.notMatch(stderr, secret, 'the secret is not repeated on stderr')

  const app = await serverOn(t, env)
  const response = await grant(app, 'billing', secret)
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.json().scope, 'users:read reports:write')
  const token = response.json().access_token
  t.equal(claims(token).sub, 'billing', 'the token is issued to the client')

  const alice = await createUser(app)
  const profile = await app.inject({ url: `/users/${alice.id}`, headers: bearer(token) })
  t.equal(profile.statusCode, 200, 'the token opens a route that needs users:read')

  const narrower = await grant(app, 'billing', secret, 'reports:write')
  t.equal(narrower.json().scope, 'reports:write')
  t.equal((await grant(app, 'billing', secret, 'users:write')).json().error, 'invalid_scope', 'no scope it was not given')
})

t.test('each secret is new, and a client without scopes gets a token without scope', async (t) => {
  const env = fileEnv(t.testdir())
  const first = await addClient(t, env, ['reporter'])
  const second = await addClient(t, env, ['mailer'])
  t.not(first, second)
  const app = await serverOn(t, env)
  const response = await grant(app, 'reporter', first)
  t.equal(response.statusCode, 200, response.body)
  t.notOk('scope' in response.json())
  assertInvalidClient(t, await grant(app, 'reporter', second), 'another client\'s secret is refused')
})

t.test('client list shows id, authentication, scopes, audiences, lifetime, permissions and disabled for every client, never a secret or hash', async (t) => {
  const env = fileEnv(t.testdir())
  const empty = await cli(['client', 'list'], env)
  t.equal(empty.code, 0, empty.stderr)
  t.equal(empty.stdout, 'ID  AUTH  SCOPES  AUDIENCES  TTL  PERMISSIONS  DISABLED\n', 'only the header')

  const billing = await addClient(t, env, ['billing', '--scopes', 'users:read,reports:write'])
  await addClient(t, env, ['audit', '--permissions', 'introspect,revocations'])
  t.equal((await cli(['client', 'disable', 'audit'], env)).code, 0)
  const unknown = await cli(['client', 'add', 'other', '--permissions', 'admin'], env)
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /^tollgate: "admin" is not a permission; --permissions takes introspect, revocations, token-exchange\n$/)

  const { code, stdout } = await cli(['client', 'list'], env)
  t.equal(code, 0)
  const rows = stdout.trimEnd().split('\n').map((line) => line.split(/\s{2,}/))
  t.same(rows, [
    ['ID', 'AUTH', 'SCOPES', 'AUDIENCES', 'TTL', 'PERMISSIONS', 'DISABLED'],
    ['audit', 'secret', '-', '-', 'default', 'introspect,revocations', 'yes'],
    ['billing', 'secret', 'users:read,reports:write', '-', 'default', '-', 'no']
  ])
  t.notMatch(stdout, billing)
  t.notMatch(stdout, 'sha256')
})

t.test('client disable refuses new tokens and ends those held; client enable lets it back in', async (t) => {
  const env = fileEnv(t.testdir())
  const secret = await addClient(t, env, ['billing', '--scopes', 'users:read'])
  const app = await serverOn(t, env)
  const alice = await createUser(app)
  const held = await tokenFor(app, 'billing', secret)

  const disabled = await cli(['client', 'disable', 'billing'], env)
  t.equal(disabled.code, 0, disabled.stderr)
  t.equal(disabled.stdout, 'billing is disabled; the tokens it held no longer work\n')

  // A running server reads the CLI's changes from the store on its next sync (or at once through Redis).
  await app.clients.directory.sync()
  const refused = await grant(app, 'billing', secret)
  assertInvalidClient(t, refused, 'a disabled client gets no token')
  t.match(refused.headers['www-authenticate'], /^Basic /)
  // A running server reads the CLI's revocations from the store on its next sync.
  await app.revocations.store.sync()
  const use = await app.inject({ url: `/users/${alice.id}`, headers: bearer(held) })
  t.equal(use.statusCode, 401, 'the token it held is refused')
  t.match(use.headers['www-authenticate'], /^Bearer /)

  t.equal((await cli(['client', 'disable', 'billing'], env)).code, 0, 'disabling twice is harmless')
  const enabled = await cli(['client', 'enable', 'billing'], env)
  t.equal(enabled.code, 0, enabled.stderr)
  t.equal(enabled.stdout, 'billing is enabled\n')
  await app.clients.directory.sync()
  const fresh = await tokenFor(app, 'billing', secret)
  await app.revocations.store.sync()
  t.equal((await app.inject({ url: `/users/${alice.id}`, headers: bearer(fresh) })).statusCode, 200, 'a new token works')
  t.equal((await app.inject({ url: `/users/${alice.id}`, headers: bearer(held) })).statusCode, 401, 'the old one stays ended')
})

t.test('client rotate-secret prints a new secret once; the old secret and its tokens stop working', async (t) => {
  const env = fileEnv(t.testdir())
  const old = await addClient(t, env, ['billing', '--scopes', 'users:read'])
  const app = await serverOn(t, env)
  const alice = await createUser(app)
  const held = await tokenFor(app, 'billing', old)

  const { code, stdout, stderr } = await cli(['client', 'rotate-secret', 'billing'], env)
  t.equal(code, 0, stderr)
  const secret = stdout.slice(0, -1)
  t.match(secret, SECRET, 'stdout is the new secret and nothing else')
  t.not(secret, old)
  t.match(stderr, 'billing has a new secret')
  t.match(stderr, 'shown once')

  await app.clients.directory.sync()
  assertInvalidClient(t, await grant(app, 'billing', old), 'the old secret is refused')
  const fresh = await tokenFor(app, 'billing', secret)
  t.equal(claims(fresh).scope, 'users:read', 'the scopes are kept')
  await app.revocations.store.sync()
  t.equal((await app.inject({ url: `/users/${alice.id}`, headers: bearer(held) })).statusCode, 401, 'a token got with the old secret is refused')
  t.equal((await app.inject({ url: `/users/${alice.id}`, headers: bearer(fresh) })).statusCode, 200)
})

t.test('client add refuses ids and scopes the grant could not use, and duplicates; nothing is created', async (t) => {
  const env = fileEnv(t.testdir())
  await addClient(t, env, ['billing'])
  const cases: Array<[string[], RegExp]> = [
    [['client', 'add', '0d8b3a7e-5a4c-4f1e-9c2b-7f6e5d4c3b2a'], /client id "0d8b3a7e-[\w-]+" must be .*not be a UUID/],
    [['client', 'add', 'Billing2'], /client id "Billing2" must be 3-64 lower-case letters/],
    [['client', 'add', 'ab'], /client id "ab" must be 3-64/],
    [['client', 'add', ''], /client id "" must be/],
    [['client', 'add', '9lives'], /start with a letter/],
    [['client', 'add', 'a'.repeat(65)], /client id "a+" must be 3-64/],
    [['client', 'add', 'bill\ning'], /client id "bill\\ning" must be/],
    [['client', 'add', 'reports', '--scopes', 'users:read,no spaces'], /scope "no spaces" may only hold/],
    [['client', 'add', 'reports', '--scopes', 'b@d'], /scope "b@d" may only hold/],
    [['client', 'add', 'billing'], /client "billing" already exists/],
    [['client', 'add', 'billing', '--scopes', 'users:read'], /client "billing" already exists/]
  ]
  for (const [argv, reason] of cases) {
    const { code, stdout, stderr } = await cli(argv, env)
    t.equal(code, 1, JSON.stringify(argv))
    t.equal(stdout, '', 'no secret is printed')
    t.ok(isOneErrorLine(stderr), `one line: ${JSON.stringify(stderr)}`)
    t.match(stderr, reason)
  }
  const list = await cli(['client', 'list'], env)
  t.same(list.stdout.trimEnd().split('\n').slice(1).map((line) => line.split(/\s+/)[0]), ['billing'], 'only the first client exists')
})

t.test('an unknown client is one line and exit code 1', async (t) => {
  const env = fileEnv(t.testdir())
  for (const argv of [['client', 'disable', 'nobody'], ['client', 'enable', 'nobody'], ['client', 'rotate-secret', 'nobody']]) {
    const { code, stdout, stderr } = await cli(argv, env)
    t.equal(code, 1, argv.join(' '))
    t.equal(stdout, '')
    t.ok(isOneErrorLine(stderr), stderr)
    t.match(stderr, 'no client "nobody"')
  }
})
