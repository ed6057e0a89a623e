import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import t from 'tap'
import { generateKeyPair, loadPublicKey, loadSigningKey, publicKeyFromJwk, thumbprint } from '@tollgate/auth/tokens/keys'
import type { AsymmetricAlgorithm } from '@tollgate/auth/tokens/claims'
import { ASYMMETRIC, publicJwk, rfc7638 } from '../../service/keys.js'

t.test('the thumbprint matches the example of RFC 7638 §3.1', async (t) => {
  const jwk = {
    kty: 'RSA',
    n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn6' +
      '4tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n9' +
      '1CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    e: 'AQAB',
    alg: 'RS256',
    kid: '2011-04-29'
  }
  t.equal(thumbprint(jwk), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  t.throws(() => thumbprint({ kty: 'oct', k: 'c2VjcmV0' }), /cannot compute a thumbprint for key type oct/)
})

for (const algorithm of ASYMMETRIC) {
  t.test(`${algorithm}: one kid for the key however it is read`, async (t) => {
    const pair = generateKeyPair(algorithm)
    const signing = loadSigningKey(algorithm, pair.privatePem)
    t.equal(pair.kid, rfc7638(publicJwk(pair.publicPem)))
    t.equal(signing.kid, pair.kid)
    t.equal(loadPublicKey(algorithm, pair.publicPem).kid, pair.kid, 'from the public PEM')
    t.equal(loadPublicKey(algorithm, pair.privatePem).kid, pair.kid, 'from the private PEM, as a retired key may be kept')

    const withPrivate = createPrivateKey(pair.privatePem).export({ format: 'jwk' })
    const fromJwk = publicKeyFromJwk(algorithm, { ...withPrivate, kid: 'whatever' })
    t.equal(fromJwk.kid, pair.kid, 'the kid is recomputed, not taken from the JWK')
    t.notOk('d' in fromJwk.jwk, 'private members of a JWK are dropped')
    t.same(signing.jwk, { ...publicJwk(pair.publicPem), kid: pair.kid, alg: algorithm, use: 'sig' })
    t.match(signing.privatePem, /^-----BEGIN PRIVATE KEY-----/)
  })
}

t.test('older PEM encodings of private keys are read too', async (t) => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const pkcs1 = rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString()
  const sec1 = ec.privateKey.export({ format: 'pem', type: 'sec1' }).toString()
  t.equal(loadSigningKey('RS256', pkcs1).kid, rfc7638(rsa.publicKey.export({ format: 'jwk' })))
  t.equal(loadSigningKey('ES256', sec1).kid, rfc7638(ec.publicKey.export({ format: 'jwk' })))
})

t.test('a key that does not fit the algorithm is refused', async (t) => {
  const pem = ({ privateKey }: { privateKey: KeyObject }) => privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  const cases: Array<[AsymmetricAlgorithm, string, RegExp]> = [
    ['RS256', pem(generateKeyPairSync('rsa', { modulusLength: 1024 })), /RS256 needs an RSA key of at least 2048 bits, not rsa/],
    ['RS256', pem(generateKeyPairSync('rsa-pss', { modulusLength: 2048 })), /not rsa-pss/],
    ['RS256', generateKeyPair('ES256').privatePem, /not ec/],
    ['ES256', pem(generateKeyPairSync('ec', { namedCurve: 'P-384' })), /ES256 needs an EC key on P-256, not ec/],
    ['ES256', pem(generateKeyPairSync('ec', { namedCurve: 'secp256k1' })), /ES256 needs an EC key on P-256/],
    ['ES256', generateKeyPair('EdDSA').privatePem, /not ed25519/],
    ['EdDSA', pem(generateKeyPairSync('ed448')), /EdDSA needs an Ed25519 key, not ed448/],
    ['EdDSA', generateKeyPair('RS256').privatePem, /not rsa/]
  ]
  for (const [algorithm, key, reason] of cases) {
    t.throws(() => loadSigningKey(algorithm, key), reason)
    t.throws(() => loadPublicKey(algorithm, key), reason)
  }
  t.throws(() => loadSigningKey('ES256', 'not a key'))
  t.throws(() => loadSigningKey('ES256', generateKeyPair('ES256').publicPem), 'a public key cannot sign')
})
