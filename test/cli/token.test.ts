import t from 'tap'
import { bearer, build, createUser } from '../helper.js'
import { cli, expectFailures, fileEnv } from './run-cli.js'

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))

t.test('token issue prints N valid tokens for the user, one a line, and audit-logs the count only', async (t) => {
  const env = fileEnv(t.testdir())
  const app = await build(t, { DATABASE_URL: env.DATABASE_URL })
  const alice = await createUser(app, 'alice', ['reader'])

  const { code, stdout, stderr } = await cli(['token', 'issue', '--user', 'alice', '--count', '5', '--ttl', '120'], env)
  t.equal(code, 0, stderr)
  const tokens = stdout.trimEnd().split('\n')
  t.equal(tokens.length, 5)
  t.equal(new Set(tokens.map((token) => claims(token).jti)).size, 5, 'each with its own jti')
  for (const token of tokens) {
    t.match(claims(token), { sub: alice.id, roles: ['reader'], aud: 'tollgate-api' })
    t.equal(claims(token).exp - claims(token).iat, 120)
    t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 200)
  }
  const audit = JSON.parse(stderr)
  t.match(audit, { event: 'auth.tokens.issued', userId: alice.id, username: 'alice', count: 5, ttlSeconds: 120, issuer: app.config.JWT_ISSUER })
  t.match(audit.msg, app.config.JWT_ISSUER, 'the issuer a server must share is named, as its refusals name the one it expects')
  for (const token of tokens) t.notMatch(stderr, token.split('.')[2]!, 'no token in the log')

  const one = await cli(['token', 'issue', '--user', 'alice'], env)
  t.equal(one.stdout.trimEnd().split('\n').length, 1, 'one token by default')
  t.equal(claims(one.stdout).exp - claims(one.stdout).iat, 900, 'for ACCESS_TOKEN_TTL')
})

t.test('the tokens end with the user\'s other tokens', async (t) => {
  const env = fileEnv(t.testdir())
  const app = await build(t, { DATABASE_URL: env.DATABASE_URL })
  await createUser(app, 'alice')
  const [token = ''] = (await cli(['token', 'issue', '--user', 'alice'], env)).stdout.trimEnd().split('\n')
  t.equal((await cli(['user', 'disable', 'alice'], env)).code, 0)
  await app.revocations.store.sync()
  t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401)
  const refused = await cli(['token', 'issue', '--user', 'alice'], env)
  t.equal(refused.code, 1)
  t.match(refused.stderr, 'the user is disabled')
})

t.test('a bad user, count or lifetime is one line and exit code 1, with no token printed', async (t) => {
  const env = fileEnv(t.testdir())
  const app = await build(t, { DATABASE_URL: env.DATABASE_URL })
  await createUser(app, 'alice')
  const cases: Array<[string[], RegExp]> = [
    [['token', 'issue'], /needs --user/],
    [['token', 'issue', '--user', 'nobody'], /no user named "nobody"/],
    [['token', 'issue', '--user', 'alice', '--count', '0'], /from 1 to 100000/],
    [['token', 'issue', '--user', 'alice', '--count', '100001'], /from 1 to 100000/],
    [['token', 'issue', '--user', 'alice', '--count', 'many'], /--count takes a whole number/],
    [['token', 'issue', '--user', 'alice', '--ttl', '3601'], /60 to 3600/]
  ]
  await expectFailures(t, env, cases)
})
