import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { build } from '../helper.js'
import { tokenRequest, withAssertion } from '../support/client-assertions.js'
import { TEST_ISSUER } from '../support/forge.js'
import { spiffeTrustDomain, startWorkloadIssuer } from '../support/workload-issuer.js'
import { cli, expectFailures, fileEnv } from './run-cli.js'

const listRows = (stdout: string) => stdout.trimEnd().split('\n').map((line) => line.split(/\s{2,}/))
const auditLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)

t.test('federation add, list and remove; a client bound with --federated gets tokens on a server sharing the store', async (t) => {
  const dir = t.testdir()
  const stored = fileEnv(dir)
  const env = { ...stored, LOG_LEVEL: 'info' }
  const issuer = await startWorkloadIssuer(t)
  const domain = await spiffeTrustDomain('example.org')
  writeFileSync(join(dir, 'bundle.json'), JSON.stringify(domain.bundle()))

  const added = await cli(['federation', 'add', 'k8s', '--issuer', issuer.issuer, '--max-lifetime', '900'], env)
  t.equal(added.code, 0, added.stderr)
  t.equal(added.stdout, `k8s trusted: tokens with iss ${issuer.issuer}, keys discovered, lifetime at most 900 s\n`)
  t.match(auditLines(added.stderr), [{ event: 'admin.federation.add', outcome: 'success', issuer: 'k8s', iss: issuer.issuer, maxLifetime: 900, by: /^cli:/ }])
  t.equal((await cli(['federation', 'add', 'spiffe', '--issuer', domain.trustDomain, '--jwks-file', join(dir, 'bundle.json')], env)).code, 0)
  t.same(listRows((await cli(['federation', 'list'], env)).stdout), [
    ['NAME', 'ISSUER', 'KEYS', 'MAX LIFETIME'],
    ['k8s', issuer.issuer, 'discovered', '900'],
    ['spiffe', domain.trustDomain, `file ${join(dir, 'bundle.json')}`, '3600']
  ])

  const bound = await cli(['client', 'add', 'orders', '--scopes', 'users:read', '--federated', 'k8s=system:serviceaccount:shop:orders'], env)
  t.equal(bound.code, 0, bound.stderr)
  t.equal(bound.stdout, 'Client orders created with the scopes users:read; it authenticates with the token of the workload k8s=system:serviceaccount:shop:orders\n', 'no secret')
  t.match(auditLines(bound.stderr), [
    { event: 'admin.client.create', clientId: 'orders', authentication: 'workload_federation' },
    { event: 'admin.client.federated', clientId: 'orders', issuer: 'k8s', subject: 'system:serviceaccount:shop:orders' }
  ])

  const app = await build(t, { DATABASE_URL: stored.DATABASE_URL })
  const response = await tokenRequest(app, withAssertion(await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER)))
  t.equal(response.statusCode, 200, response.body)

  // A client with a secret becomes the SPIFFE workload: its secret stops working.
  const secret = (await cli(['client', 'add', 'reports'], env)).stdout.trim()
  const rebound = await cli(['client', 'update', 'reports', '--federated', 'spiffe=spiffe://example.org/ns/shop/sa/reports'], env)
  t.equal(rebound.code, 0, rebound.stderr)
  await app.clients.directory.sync()
  await app.clients.federation.trusted.sync()
  t.equal((await tokenRequest(app, withAssertion(await domain.svid('/ns/shop/sa/reports', TEST_ISSUER)))).statusCode, 200, 'the SVID works')
  t.equal((await tokenRequest(app, { grant_type: 'client_credentials', client_id: 'reports', client_secret: secret })).statusCode, 401, 'the secret no longer does')
  t.match(listRows((await cli(['client', 'list'], env)).stdout), [
    ['ID', 'AUTH'],
    ['orders', 'workload k8s=system:serviceaccount:shop:orders'],
    ['reports', 'workload spiffe=spiffe://example.org/ns/shop/sa/reports']
  ])

  await expectFailures(t, env, [
    [['federation', 'remove', 'k8s'], /clients are bound to "k8s": orders/],
    [['client', 'add', 'payments', '--federated', 'k8s=system:serviceaccount:shop:orders'], /bound to client orders already/],
    [['client', 'update', 'reports', '--federated', 'k8s=system:serviceaccount:shop:orders'], /bound to client orders already/]
  ])
  t.equal((await cli(['client', 'rotate-secret', 'orders'], env)).code, 0, 'a secret instead unbinds the workload')
  const removed = await cli(['federation', 'remove', 'k8s'], env)
  t.equal(removed.code, 0, removed.stderr)
  t.equal(removed.stdout, 'k8s is no longer trusted\n')
  t.match(auditLines(removed.stderr), [{ event: 'admin.federation.remove', issuer: 'k8s' }])
  await app.clients.federation.trusted.sync()
  t.equal((await tokenRequest(app, withAssertion(await issuer.kubernetesToken('shop', 'orders', TEST_ISSUER)))).statusCode, 401, 'its tokens are refused')
})

t.test('bad federation arguments exit 1 with one line', async (t) => {
  const dir = t.testdir()
  const env = fileEnv(dir)
  t.equal((await cli(['federation', 'add', 'gh', '--issuer', 'https://token.actions.githubusercontent.com'], env)).code, 0)
  await expectFailures(t, env, [
    [['federation', 'add', 'x'], /needs --issuer/],
    [['federation', 'add', 'x', '--issuer', 'http://cluster.example'], /must be an https URL/],
    [['federation', 'add', 'x', '--issuer', 'not a url'], /is not a URL/],
    [['federation', 'add', 'x', '--issuer', 'https://a.example', '--jwks-uri', 'https://a.example/k', '--jwks-file', 'k.json'], /not both/],
    [['federation', 'add', 'x', '--issuer', 'spiffe://example.org'], /needs --jwks-file or --jwks-uri/],
    [['federation', 'add', 'x', '--issuer', 'https://a.example', '--max-lifetime', '10'], /--max-lifetime must be whole seconds from 60/],
    [['federation', 'add', 'x', '--issuer', 'https://a.example', '--max-lifetime', 'soon'], /--max-lifetime takes whole seconds/],
    [['federation', 'add', 'Bad Name', '--issuer', 'https://a.example'], /issuer name/],
    [['federation', 'add', 'gh', '--issuer', 'https://b.example'], /exists already/],
    [['federation', 'add', 'gh2', '--issuer', 'https://token.actions.githubusercontent.com'], /trusted already, as "gh"/],
    [['federation', 'remove', 'nope'], /no trusted issuer "nope"/],
    [['client', 'add', 'orders', '--federated', 'nope=x'], /no trusted issuer is named "nope"/],
    [['client', 'add', 'orders', '--federated', 'gh'], /--federated takes <issuer name>=<subject>/],
    [['client', 'add', 'orders', '--federated', 'gh=a b'], /subject .* must be 1-512 visible/],
    [['client', 'add', 'orders', '--federated', 'gh=x', '--public-key', 'k.pem'], /not both/],
    [['client', 'update', 'nobody', '--federated', 'gh=x'], /no client "nobody"/]
  ])
})
