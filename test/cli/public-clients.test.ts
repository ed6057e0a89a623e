import t from 'tap'
import { build, createUser, PASSWORD } from '../helper.js'
import { pkce, redirectParameters, signIn } from '../support/sign-in.js'
import { cli, expectFailures, fileEnv } from './run-cli.js'

const listRows = (stdout: string) => stdout.trimEnd().split('\n').map((line) => line.split(/\s{2,}/))

t.test('client add --public --redirect-uris makes a client with no secret that signs people in', async (t) => {
  const env = fileEnv(t.testdir())
  const added = await cli(['client', 'add', 'mobile', '--public', '--redirect-uris', 'https://app.example/cb,http://127.0.0.1:7000/cb'], env)
  t.equal(added.code, 0, added.stderr)
  t.equal(added.stdout, 'Client mobile created with no scopes, the redirect URIs https://app.example/cb,http://127.0.0.1:7000/cb; it is public: no secret, authorization codes with PKCE and refresh tokens only\n')
  t.same(listRows((await cli(['client', 'list'], env)).stdout).find((row) => row[0] === 'mobile'), ['mobile', 'public', '-', '-', 'default', '-', 'no'])

  const app = await build(t, { DATABASE_URL: env.DATABASE_URL })
  await createUser(app, 'alice')
  const { challenge } = pkce()
  const response = await signIn(app, { response_type: 'code', client_id: 'mobile', redirect_uri: 'http://127.0.0.1:7000/cb', code_challenge: challenge, code_challenge_method: 'S256' }, 'alice', PASSWORD)
  t.ok(redirectParameters(response).get('code'))
})

t.test('client update --redirect-uris replaces them; --public drops a secret and the tokens got with it', async (t) => {
  const env = fileEnv(t.testdir())
  const secret = (await cli(['client', 'add', 'portal', '--redirect-uris', 'https://portal.example/cb'], env)).stdout.trim()
  t.match(secret, /^\S{20,}$/, 'a confidential client has a secret')
  const updated = await cli(['client', 'update', 'portal', '--redirect-uris', 'https://portal.example/callback'], env)
  t.equal(updated.code, 0, updated.stderr)
  t.match(updated.stdout, 'the redirect URIs https://portal.example/callback')
  const app = await build(t, { DATABASE_URL: env.DATABASE_URL })
  const granted = await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'client_credentials', client_id: 'portal', client_secret: secret } })
  t.equal(granted.statusCode, 200)
  const madePublic = await cli(['client', 'update', 'portal', '--public'], env)
  t.equal(madePublic.code, 0, madePublic.stderr)
  await app.clients.directory.sync()
  const refused = await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'client_credentials', client_id: 'portal', client_secret: secret } })
  t.equal(refused.statusCode, 401, 'its old secret proves nothing now')
  t.same(listRows((await cli(['client', 'list'], env)).stdout).find((row) => row[0] === 'portal')?.[1], 'public')
})

t.test('redirect URIs are refused unless https, or http on a loopback IP, exact and without a fragment', async (t) => {
  const env = fileEnv(t.testdir())
  await expectFailures(t, env, [
    [['client', 'add', 'a-app', '--public', '--redirect-uris', 'http://app.example/cb'], /must use https, or http on a loopback IP/],
    [['client', 'add', 'a-app', '--public', '--redirect-uris', 'http://localhost:8080/cb'], /must use https, or http on a loopback IP/],
    [['client', 'add', 'a-app', '--public', '--redirect-uris', 'https://app.example/cb#x'], /must not have a fragment/],
    [['client', 'add', 'a-app', '--public', '--redirect-uris', '/cb'], /must be an absolute URL/],
    [['client', 'add', 'a-app', '--public', '--redirect-uris', 'https://APP.example/cb'], /must be written as "https:\/\/app\.example\/cb"/],
    [['client', 'add', 'a-app', '--public', '--redirect-uris', 'https://u:p@app.example/cb'], /must not carry credentials/],
    [['client', 'add', 'a-app', '--public', '--redirect-uris', 'javascript:alert(1)'], /must use https/]
  ])
})
