import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { generateKeyPair, loadSigningKey, type PublicJwk } from '@tollgate/auth/tokens/keys'
import type { AsymmetricAlgorithm } from '@tollgate/auth/tokens/claims'
import { createRemoteKeySet, type RemoteKeySetOptions } from '@tollgate/auth/tokens/remote-key-set'
import { InvalidTokenError } from '@tollgate/auth/errors'
import { createAccessTokenVerifier } from '@tollgate/auth/tokens/verifier'
import { accessClaims, signToken, TEST_ISSUER } from '../../support/forge.js'

const CONSTRAINTS = { issuer: TEST_ISSUER, audience: 'tollgate-api', cacheSize: 0 }

interface Key { jwk: PublicJwk, token: () => string }

function newKey (algorithm: AsymmetricAlgorithm = 'ES256'): Key {
  const { privatePem } = generateKeyPair(algorithm)
  const { jwk, kid } = loadSigningKey(algorithm, privatePem)
  return { jwk, token: () => signToken(accessClaims(), { kid }, { alg: algorithm, privatePem }) }
}

/** A JWKS endpoint whose answer the test sets, counting the requests it gets. */
async function jwksServer (t: Test) {
  let answer: (response: ServerResponse) => void = (response) => { response.end('{"keys":[]}') }
  let requests = 0
  const server = createServer((_request, response) => {
    requests++
    answer(response)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    requests: () => requests,
    serve (keys: unknown[]) { answer = (response) => { response.setHeader('content-type', 'application/json').end(JSON.stringify({ keys })) } },
    answer (next: (response: ServerResponse) => void) { answer = next }
  }
}

function keySet (url: string, options: Partial<RemoteKeySetOptions> = {}) {
  const errors: unknown[] = []
  const set = createRemoteKeySet({ jwksUrl: url, onError: (error) => errors.push(error), ...options }, CONSTRAINTS)
  const verifier = createAccessTokenVerifier(CONSTRAINTS, set.resolve)
  /** 'ok', or the reason the token was refused. */
  async function outcome (token: string): Promise<string> {
    try {
      await verifier.verify(token)
      return 'ok'
    } catch (error) {
      if (error instanceof InvalidTokenError) return error.reason ?? ''
      throw error
    }
  }
  return { set, errors, outcome }
}

t.test('the set keeps the usable signing keys of the JWKS and skips the rest', async (t) => {
  const jwks = await jwksServer(t)
  const es = newKey('ES256')
  const ed = newKey('EdDSA')
  const rs = newKey('RS256')
  const weak = { kty: 'RSA', kid: 'weak', alg: 'RS256', e: 'AQAB', n: Buffer.alloc(128, 0xc5).toString('base64url') }
  jwks.serve([
    es.jwk, ed.jwk, rs.jwk,
    { ...newKey().jwk, kid: 'encryption', use: 'enc' },
    { ...newKey().jwk, kid: 'hmac', alg: 'HS256' },
    { ...newKey().jwk, kid: undefined },
    { ...newKey().jwk, kid: 'mislabelled', alg: 'EdDSA' },
    weak,
    'not an object'
  ])
  const { set, errors, outcome } = keySet(jwks.url, { algorithms: ['ES256', 'EdDSA'] })
  await set.refresh()

  t.same(set.kids().sort(), [es.jwk.kid, ed.jwk.kid].sort())
  t.equal(await outcome(es.token()), 'ok')
  t.equal(await outcome(ed.token()), 'ok')
  t.equal(await outcome(rs.token()), 'FAST_JWT_MISSING_KEY', 'an algorithm the service did not allow')
  t.ok(errors.length >= 1, 'the keys that could not be read are reported')
})

t.test('requests meeting a new kid while the set is being fetched wait for that one fetch', async (t) => {
  const jwks = await jwksServer(t)
  const old = newKey()
  const rotated = newKey()
  jwks.serve([old.jwk])
  const { set, outcome } = keySet(jwks.url, { refetchIntervalMs: 60_000 })
  await set.refresh()
  const realNow = Date.now
  Date.now = () => realNow() + 60_001
  t.teardown(() => { Date.now = realNow })

  // The issuer has rotated, and answers slowly.
  const pending: Array<() => void> = []
  jwks.answer((response) => {
    pending.push(() => response.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [old.jwk, rotated.jwk] })))
  })
  const outcomes = Array.from({ length: 20 }, async () => outcome(rotated.token()))
  while (pending.length === 0) await new Promise((resolve) => setImmediate(resolve))
  for (const release of pending.splice(0)) release()

  t.same(await Promise.all(outcomes), Array(20).fill('ok'))
  t.equal(jwks.requests(), 2, 'the start, then one fetch shared by all twenty')
})

t.test('a failed fetch keeps the keys held; a successful one replaces them', async (t) => {
  const jwks = await jwksServer(t)
  const held = newKey()
  const next = newKey()
  jwks.serve([held.jwk])
  let removals = 0
  const { set, errors, outcome } = keySet(jwks.url, { refetchIntervalMs: 0, timeoutMs: 200, onKeysRemoved: () => { removals++ } })
  await set.refresh()

  const failures: Array<[string, (response: ServerResponse) => void]> = [
    ['a 500', (response) => { response.statusCode = 500; response.end() }],
    ['a body that is not JSON', (response) => { response.end('<html>') }],
    ['JSON that is not a key set', (response) => { response.end('{"keys":{}}') }],
    ['no answer within the timeout', () => {}]
  ]
  for (const [name, answer] of failures) {
    jwks.answer(answer)
    const before = errors.length
    t.equal(await outcome(next.token()), 'FAST_JWT_MISSING_KEY', `${name}: the unknown kid is refused`)
    t.equal(errors.length, before + 1, `${name}: reported`)
    t.equal(await outcome(held.token()), 'ok', `${name}: the held key still verifies`)
  }

  t.equal(removals, 0, 'failures remove nothing')
  jwks.serve([held.jwk, next.jwk])
  t.equal(await outcome(next.token()), 'ok')
  t.equal(removals, 0, 'a key added removes nothing')
  jwks.serve([next.jwk])
  await set.refresh()
  t.equal(await outcome(held.token()), 'FAST_JWT_MISSING_KEY', 'a key the issuer dropped stops verifying')
  t.equal(removals, 1, 'and its removal is announced')
})

t.test('an issuer that cannot be reached at the start is fetched again when a token comes', async (t) => {
  const jwks = await jwksServer(t)
  const key = newKey()
  const unreachable = keySet('http://127.0.0.1:9/jwks.json', { refetchIntervalMs: 0 })
  await unreachable.set.refresh()
  t.same(unreachable.set.kids(), [])
  t.equal(await unreachable.outcome(key.token()), 'FAST_JWT_MISSING_KEY')
  t.equal(unreachable.errors.length, 2)

  jwks.serve([key.jwk])
  const { set, outcome } = keySet(jwks.url, { refetchIntervalMs: 60_000 })
  t.equal(await outcome(key.token()), 'ok', 'the first token fetches the set when nothing was fetched yet')
  t.same(set.kids(), [key.jwk.kid])
  t.equal(await outcome(signToken(accessClaims(), {}, { alg: 'ES256', signature: 'x' })), 'FAST_JWT_MISSING_KEY', 'a token without a kid')
  t.equal(jwks.requests(), 1)
})
