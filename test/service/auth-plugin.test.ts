import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { loadSigningKey, type PublicJwk } from '@tollgate/auth/tokens/keys'
import { bearer } from '../helper.js'
import { accessClaims, signToken } from '../support/forge.js'
import { writeKeyPair } from './keys.js'
import { startService, TOLLGATE_CLAIMS } from './running-tollgate.js'

/** A JWKS endpoint serving whatever `keys` holds at the time of each request. */
async function jwksEndpoint (t: Test, keys: PublicJwk[]): Promise<string> {
  const server = Fastify()
  server.get('/jwks.json', async () => ({ keys }))
  t.after(() => server.close())
  await server.listen({ host: '127.0.0.1', port: 0 })
  return `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/jwks.json`
}

t.test('isRevoked is asked on every path, and a throwing one is an error, never a hang', async (t) => {
  const key = writeKeyPair(t.testdir(), 'ES256')
  const { jwk } = loadSigningKey('ES256', key.privatePem)
  // A service refuses to start on an empty key set: it starts holding another key.
  const keys: PublicJwk[] = [loadSigningKey('ES256', writeKeyPair(t.testdir(), 'ES256', 'other').privatePem).jwk]
  const jwksUrl = await jwksEndpoint(t, keys)
  const revoked = new Set<string>()
  const service = await startService(t, {
    ...TOLLGATE_CLAIMS,
    jwksUrl,
    refetchIntervalMs: 0,
    isRevoked: (claims) => {
      if (claims.sub === 'broken') throw new Error('the revocation store is down')
      return revoked.has(claims.jti)
    }
  })
  const token = (sub: string, jti: string) => signToken(accessClaims({ sub, jti }), { kid: key.kid }, { alg: 'ES256', privatePem: key.privatePem })
  // The service started without this key, so the first token of each pair waits for a fetch
  // (the path through a promise); its twin, signed once the key is held, is checked at once.
  keys.push(jwk)

  for (const [path, jti] of [['after a fetch', 'a'], ['at once', 'b']] as const) {
    revoked.add(jti)
    const refused = await service.inject({ url: '/whoami', headers: bearer(token('alice', jti)) })
    t.equal(refused.statusCode, 401, `${path}: a revoked token is refused`)
    t.match(refused.headers['www-authenticate'], /error="invalid_token", error_description="The access token has been revoked"/)
  }

  const fresh = writeKeyPair(t.testdir(), 'ES256', 'fresh')
  keys.push(loadSigningKey('ES256', fresh.privatePem).jwk)
  const afterFetch = signToken(accessClaims({ sub: 'broken' }), { kid: fresh.kid }, { alg: 'ES256', privatePem: fresh.privatePem })
  const broken = await service.inject({ url: '/whoami', headers: bearer(afterFetch) })
  t.equal(broken.statusCode, 500, 'after a fetch: the error reaches the error handler')
  const atOnce = await service.inject({ url: '/whoami', headers: bearer(token('broken', 'c')) })
  t.equal(atOnce.statusCode, 500, 'at once: the same')
})

t.test('the realm option names every challenge', async (t) => {
  const key = writeKeyPair(t.testdir(), 'EdDSA')
  const service = await startService(t, { ...TOLLGATE_CLAIMS, publicKey: key.publicPem, algorithm: 'EdDSA', realm: 'reports' })
  const missing = await service.inject({ url: '/reports' })
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="reports"')
  const token = signToken(accessClaims(), { kid: key.kid }, { alg: 'EdDSA', privatePem: key.privatePem })
  const forbidden = await service.inject({ url: '/reports', headers: bearer(token) })
  t.equal(forbidden.headers['www-authenticate'], 'Bearer realm="reports", error="insufficient_scope", scope="reports:read"')
})

t.test('a key the issuer stops publishing stops verifying, for tokens seen before too', async (t) => {
  const old = writeKeyPair(t.testdir(), 'ES256', 'old')
  const next = writeKeyPair(t.testdir(), 'ES256', 'next')
  const keys: PublicJwk[] = [loadSigningKey('ES256', old.privatePem).jwk]
  const service = await startService(t, { ...TOLLGATE_CLAIMS, jwksUrl: await jwksEndpoint(t, keys), refetchIntervalMs: 0 })
  const status = async (token: string) => (await service.inject({ url: '/whoami', headers: bearer(token) })).statusCode
  // As long-lived as someone holding the old private key cares to make it.
  const exp = Math.floor(Date.now() / 1000) + 86_400
  const seen = signToken(accessClaims({ exp }), { kid: old.kid }, { alg: 'ES256', privatePem: old.privatePem })
  t.equal(await status(seen), 200)

  keys.splice(0, 1, loadSigningKey('ES256', next.privatePem).jwk)
  t.equal(await status(signToken(accessClaims(), { kid: next.kid }, { alg: 'ES256', privatePem: next.privatePem })), 200, 'the new key is fetched')
  t.equal(await status(seen), 401, 'the dropped key\'s token is refused although it was verified before')
})
