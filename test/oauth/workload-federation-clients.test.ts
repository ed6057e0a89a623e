import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import t from 'tap'
import { cli } from '../cli/run-cli.js'
import { testEnv } from '../helper.js'
import { writeKeyPair } from '../service/keys.js'
import { startTollgate } from '../service/running-tollgate.js'
import { freePort } from '../support/free-port.js'
import { startWorkloadIssuer } from '../support/workload-issuer.js'

const insecure = { [oauth.allowInsecureRequests]: true }

/**
 * A workload's token as oauth4webapi sends it: its client-authentication hook is a function of one's own,
 * which puts the token where RFC 7523 §2.2 puts an assertion.
 */
const WorkloadToken = (token: () => Promise<string>): oauth.ClientAuth => async (_as, _client, body) => {
  body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
  body.set('client_assertion', await token())
}

t.test('two instances on one store: a trusted issuer added with the CLI reaches both; oauth4webapi sends a Kubernetes token and jose verifies the answer', async (t) => {
  const dir = t.testdir()
  const ports = [await freePort(), await freePort()]
  // Both instances are one service behind one name: the issuer is the same URL on each.
  const publicUrl = `http://127.0.0.1:${ports[0]}`
  const key = writeKeyPair(dir, 'ES256')
  const env = { PUBLIC_URL: publicUrl, JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: key.privateFile, DATABASE_URL: `sqlite:${join(dir, 'tollgate.db')}` }
  for (const port of ports) await startTollgate(t, env, port)
  const cluster = await startWorkloadIssuer(t, 'PS256')

  const commandEnv = testEnv(env)
  t.equal((await cli(['federation', 'add', 'k8s', '--issuer', cluster.issuer], commandEnv)).code, 0)
  t.equal((await cli(['client', 'add', 'orders', '--scopes', 'users:read', '--federated', 'k8s=system:serviceaccount:shop:orders'], commandEnv)).code, 0)
  await sleep(2500) // each instance reads issuers and clients every 2 s

  const issuer = new URL(publicUrl)
  const client = { client_id: 'orders' }
  for (const [index, port] of ports.entries()) {
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }))
    const at: oauth.AuthorizationServer = { ...as, token_endpoint: `http://127.0.0.1:${port}/auth/token` }
    const auth = WorkloadToken(async () => cluster.kubernetesToken('shop', 'orders', as.token_endpoint ?? ''))
    const response = await oauth.clientCredentialsGrantRequest(at, client, auth, { scope: 'users:read' }, insecure)
    const { access_token: token } = await oauth.processClientCredentialsResponse(at, client, response)
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(as.jwks_uri ?? '')), { issuer: as.issuer, audience: 'tollgate-api', typ: 'at+jwt' })
    t.match(payload, { sub: 'orders', client_id: 'orders', scope: 'users:read' }, `instance ${index + 1}`)
  }
})
