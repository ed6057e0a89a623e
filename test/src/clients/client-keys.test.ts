import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { generateKeyPair } from '@tollgate/auth/tokens/keys'
import { parseClientKey } from '../../../src/clients/client-keys.js'

const INVALID = { code: 'ERR_INVALID_ARGUMENT' }
const jwkOf = (pem: string) => createPublicKey(pem).export({ format: 'jwk' })

t.test('each key type signs with one algorithm, read from PEM, a JWK or a JWKS of one key', async (t) => {
  for (const algorithm of ['RS256', 'ES256', 'EdDSA'] as const) {
    const { publicPem } = generateKeyPair(algorithm)
    const expected = { algorithm, pem: createPublicKey(publicPem).export({ format: 'pem', type: 'spki' }).toString() }
    t.same(parseClientKey(publicPem), expected, `${algorithm} PEM`)
    t.same(parseClientKey(`\n  ${publicPem}\n`), expected, `${algorithm} PEM with spaces around`)
    t.same(parseClientKey(JSON.stringify(jwkOf(publicPem))), expected, `${algorithm} JWK`)
    t.same(parseClientKey(JSON.stringify({ ...jwkOf(publicPem), alg: algorithm, use: 'sig', kid: 'k' })), expected, `${algorithm} JWK naming its alg`)
    t.same(parseClientKey(JSON.stringify({ keys: [jwkOf(publicPem)] })), expected, `${algorithm} JWKS`)
  }
})

t.test('private, symmetric, unsupported and malformed keys are refused with a reason', async (t) => {
  const rsa = generateKeyPair('RS256')
  const cases: Array<[string, string, RegExp]> = [
    ['a PEM private key', rsa.privatePem, /private key/],
    ['a JWK private key', JSON.stringify({ ...jwkOf(rsa.publicPem), d: 'x' }), /private or symmetric/],
    ['an HMAC key as a JWK', JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' }), /private or symmetric/],
    ['a JWK naming another algorithm', JSON.stringify({ ...jwkOf(rsa.publicPem), alg: 'HS256' }), /signs RS256 here, not HS256/],
    ['a JWKS of two keys', JSON.stringify({ keys: [jwkOf(rsa.publicPem), jwkOf(rsa.publicPem)] }), /cannot be read/],
    ['a JWKS whose key is not an object', '{"keys": [1]}', /one JSON object/],
    ['JSON that does not parse', '{ "kty": ', /neither PEM nor a JWK/],
    ['text', 'hello', /cannot be read/],
    ['a small RSA key', generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString(), /cannot be used: RS256 needs an RSA key of at least 2048 bits/],
    ['a P-384 key', generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'pem', type: 'spki' }).toString(), /ES256 needs an EC key on P-256/],
    ['an X25519 key', generateKeyPairSync('x25519').publicKey.export({ format: 'pem', type: 'spki' }).toString(), /a key of type x25519 cannot sign client assertions/]
  ]
  for (const [name, text, reason] of cases) t.throws(() => parseClientKey(text), { ...INVALID, message: reason }, name)
})
