import { createPrivateKey, createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'
import { announce, stats } from './report.js'

/**
 * The peer for the client credentials grant: oidc-provider, the Node reference implementation, with its
 * in-memory store, issuing ES256 JWT access tokens (through resource indicators, its way of choosing a
 * token format) to the same two clients Tollgate's bench server registers: one with a secret, one with
 * a key for private_key_jwt.
 */
const jwk = (pem: string, isPrivate: boolean) => ({
  ...(isPrivate ? createPrivateKey(pem) : createPublicKey(pem)).export({ format: 'jwk' }),
  alg: 'ES256',
  use: 'sig'
})
const signingKey = jwk(readFileSync(process.env.JWT_PRIVATE_KEY_FILE ?? '', 'utf8'), true)
const clientKey = jwk(readFileSync(process.env.BENCH_CLIENT_KEY_FILE ?? '', 'utf8'), false)
const RESOURCE = 'urn:bench:api'
// oidc-provider introspects only opaque tokens: the introspection peer issues those.
const FORMAT = process.env.BENCH_TOKEN_FORMAT === 'opaque' ? 'opaque' : 'jwt'

let handle: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => { response.statusCode = 503; response.end() }
const server = createServer((request, response) => {
  if (request.url?.startsWith('/bench/stats') === true) {
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify(stats(request.url.includes('reset=1'))))
    return
  }
  handle(request, response)
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address() as AddressInfo
const issuer = `http://127.0.0.1:${port}`

const client = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'api:read', id_token_signed_response_alg: 'ES256' }
const provider = new Provider(issuer, {
  clients: [
    { ...client, client_id: 'bench-basic', client_secret: process.env.BENCH_CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic' },
    { ...client, client_id: 'bench-key', token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [clientKey] } }
  ],
  jwks: { keys: [signingKey] },
  scopes: ['api:read'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'api:read', audience: RESOURCE, accessTokenTTL: 900, accessTokenFormat: FORMAT, ...(FORMAT === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}) })
    }
  },
  ttl: { ClientCredentials: 900 }
})
handle = provider.callback()
announce(port, { assertionAudience: issuer, tokenPath: '/token', introspectionPath: '/token/introspection' })

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => { server.close(() => process.exit(0)) })
}
