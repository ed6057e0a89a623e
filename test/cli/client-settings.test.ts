import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exportJWK, importSPKI } from 'jose'
import t from 'tap'
import { generateKeyPair } from '@tollgate/auth/tokens/keys'
import { build } from '../helper.js'
import { assertion, clientKeyPair, tokenRequest, withAssertion } from '../support/client-assertions.js'
import { cli, expectFailures, fileEnv } from './run-cli.js'

const listRows = (stdout: string) => stdout.trimEnd().split('\n').map((line) => line.split(/\s{2,}/))

t.test('client add --public-key makes a private_key_jwt client with no secret; set-key replaces its key', async (t) => {
  const dir = t.testdir()
  const env = fileEnv(dir)
  const key = await clientKeyPair('ES256')
  writeFileSync(join(dir, 'billing.pub'), key.publicPem)
  const added = await cli(['client', 'add', 'billing', '--public-key', join(dir, 'billing.pub'), '--scopes', 'users:read', '--audiences', 'https://billing.internal', '--ttl', '300'], env)
  t.equal(added.code, 0, added.stderr)
  t.equal(added.stdout, 'Client billing created with the scopes users:read, the audiences https://billing.internal, tokens for 300 s; it authenticates with private_key_jwt (ES256)\n', 'no secret is printed')

  const app = await build(t, { DATABASE_URL: env.DATABASE_URL })
  const response = await tokenRequest(app, withAssertion(await assertion(key, 'billing'), { resource: 'https://billing.internal' }))
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.json().expires_in, 300)

  const next = await clientKeyPair('RS256')
  const jwk = await exportJWK(await importSPKI(next.publicPem, 'RS256'))
  writeFileSync(join(dir, 'next.jwk.json'), JSON.stringify({ keys: [{ ...jwk, alg: 'RS256' }] }))
  const replaced = await cli(['client', 'set-key', 'billing', join(dir, 'next.jwk.json')], env)
  t.equal(replaced.code, 0, replaced.stderr)
  t.match(replaced.stdout, 'billing now authenticates with private_key_jwt (RS256)')
  await app.clients.directory.sync()
  t.equal((await tokenRequest(app, withAssertion(await assertion(key, 'billing')))).statusCode, 401, 'the old key is refused')
  t.equal((await tokenRequest(app, withAssertion(await assertion(next, 'billing')))).statusCode, 200, 'the new one works')

  t.same(listRows((await cli(['client', 'list'], env)).stdout), [
    ['ID', 'AUTH', 'SCOPES', 'AUDIENCES', 'TTL', 'PERMISSIONS', 'DISABLED'],
    ['billing', 'key RS256', 'users:read', 'https://billing.internal', '300', '-', 'no'],
    // The server created its docs' own public client at start.
    ['tollgate-docs', 'public', '-', '-', 'default', '-', 'no']
  ])
})

t.test('client update changes scopes, audiences and lifetime, and list shows them', async (t) => {
  const env = fileEnv(t.testdir())
  t.equal((await cli(['client', 'add', 'reporter', '--scopes', 'reports:read'], env)).code, 0)
  const updated = await cli(['client', 'update', 'reporter', '--audiences', 'https://a.internal,reports-api', '--ttl', '600'], env)
  t.equal(updated.code, 0, updated.stderr)
  t.equal(updated.stdout, 'reporter now has the scopes reports:read, the audiences https://a.internal,reports-api, tokens for 600 s\n')
  t.same(listRows((await cli(['client', 'list'], env)).stdout)[1], ['reporter', 'secret', 'reports:read', 'https://a.internal,reports-api', '600', '-', 'no'])

  t.equal((await cli(['client', 'update', 'reporter', '--ttl', 'default', '--scopes', ''], env)).code, 0)
  t.same(listRows((await cli(['client', 'list'], env)).stdout)[1], ['reporter', 'secret', '-', 'https://a.internal,reports-api', 'default', '-', 'no'])
})

t.test('bad keys, lifetimes and audiences are one line and exit code 1; nothing changes', async (t) => {
  const dir = t.testdir()
  const env = fileEnv(dir)
  const write = (name: string, content: string) => { writeFileSync(join(dir, name), content); return join(dir, name) }
  const rsa = generateKeyPair('RS256')
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'pem', type: 'spki' }).toString()
  const cases: Array<[string[], RegExp]> = [
    [['client', 'add', 'svc', '--public-key', join(dir, 'missing.pem')], /cannot read ".*missing.pem": ENOENT/],
    [['client', 'add', 'svc', '--public-key', write('private.pem', rsa.privatePem)], /this is a private key/],
    [['client', 'add', 'svc', '--public-key', write('garbage.pem', 'not a key')], /the public key cannot be read/],
    [['client', 'add', 'svc', '--public-key', write('p384.pem', p384)], /ES256 needs an EC key on P-256/],
    [['client', 'add', 'svc', '--public-key', write('secret.jwk', JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' }))], /private or symmetric/],
    [['client', 'add', 'svc', '--public-key', write('ps256.jwk', JSON.stringify({ ...(await exportJWK(await importSPKI(rsa.publicPem, 'RS256'))), alg: 'PS256' }))], /signs RS256 here, not PS256/],
    [['client', 'add', 'svc', '--ttl', '30'], /60 to 3600/],
    [['client', 'add', 'svc', '--ttl', 'soon'], /--ttl takes whole seconds or "default"/],
    [['client', 'add', 'svc', '--audiences', 'a b'], /audience "a b" must be/],
    [['client', 'update', 'svc'], /needs --scopes, --audiences, --ttl, --permissions, --redirect-uris, --public or --federated/],
    [['client', 'update', 'nobody', '--ttl', '60'], /no client "nobody"/],
    [['client', 'set-key', 'nobody', write('ok.pem', rsa.publicPem)], /no client "nobody"/]
  ]
  await expectFailures(t, env, cases)
  t.equal((await cli(['client', 'list'], env)).stdout, 'ID  AUTH  SCOPES  AUDIENCES  TTL  PERMISSIONS  DISABLED\n', 'no client was created')
})
