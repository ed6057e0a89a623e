import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { createVerifier } from 'fast-jwt'
import t from 'tap'
import { bearer, build, createUser, login } from '../helper.js'
import { ASYMMETRIC, publicJwk, rfc7638, signingEnv, writeKeyPair } from '../service/keys.js'
import { decodeJwt } from '../support/forge.js'

/** Every private member a JWK can have (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

const PUBLIC_MEMBERS: Record<string, string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] }

for (const algorithm of ASYMMETRIC) {
  t.test(`${algorithm}: tokens name their key, and the JWKS publishes exactly its public half`, async (t) => {
    const key = writeKeyPair(t.testdir(), algorithm)
    const app = await build(t, signingEnv(key))
    const alice = await createUser(app)
    const token = await login(app, alice)

    const { header } = decodeJwt(token)
    t.same(header, { alg: algorithm, typ: 'at+jwt', kid: key.kid })
    t.equal(key.kid, rfc7638(publicJwk(key.publicPem)), 'the kid is the RFC 7638 thumbprint of the public key')
    t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 200)

    const response = await app.inject({ url: '/.well-known/jwks.json' })
    t.equal(response.statusCode, 200)
    t.match(response.headers['content-type'], /^application\/json/)
    t.match(response.headers['cache-control'], /(^|[ ,])max-age=\d+/)
    const { keys } = response.json() as { keys: JsonWebKey[] }
    t.equal(keys.length, 1)
    const [published = {}] = keys
    const expected = publicJwk(key.publicPem)
    t.same(published, { ...expected, kid: key.kid, alg: algorithm, use: 'sig' })
    for (const member of PUBLIC_MEMBERS[String(expected.kty)] ?? []) t.type(published[member], 'string', `${member} is published`)
    for (const member of PRIVATE_MEMBERS) t.notOk(member in published, `no private member ${member}`)

    // What a verifier elsewhere would do: take the key from the JWKS alone and check the signature.
    const fromJwks = createPublicKey({ key: published, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString()
    const claims = createVerifier({ key: fromJwks, algorithms: [algorithm] })(token)
    t.equal(claims.sub, alice.id)
  })
}

t.test('HS256: tokens have no kid and the JWKS is empty', async (t) => {
  const app = await build(t)
  const token = await login(app, await createUser(app))

  t.same(decodeJwt(token).header, { alg: 'HS256', typ: 'at+jwt' })
  t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 200)
  const response = await app.inject({ url: '/.well-known/jwks.json' })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { keys: [] })
  t.match(response.headers['cache-control'], /(^|[ ,])max-age=\d+/)
})
