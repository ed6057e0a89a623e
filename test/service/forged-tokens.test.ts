import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { tollgateAuth } from '../../index.js'
import type { AsymmetricAlgorithm } from '@tollgate/auth/tokens/claims'
import { bearer, build, createUser } from '../helper.js'
import { accessClaims, signToken, swapClaims, TEST_ISSUER } from '../support/forge.js'
import { ASYMMETRIC, signingEnv, writeKeyPair, type KeyFiles } from './keys.js'

/** P-256's group order n: (r, s) = (0, 0) and (n, n) are the "psychic signature" inputs of CVE-2022-21449. */
const P256_ORDER = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'
const zeroSignature = Buffer.alloc(64).toString('base64url')
const orderSignature = Buffer.from(P256_ORDER + P256_ORDER, 'hex').toString('base64url')

interface Attack {
  name: string
  token: string
}

/** Every token here must be refused by a verifier holding only `server`'s public key. */
function attacks (server: KeyFiles, attacker: Record<AsymmetricAlgorithm, KeyFiles>, sub: string): Attack[] {
  const claims = accessClaims({ sub })
  const own = { alg: server.algorithm, privatePem: server.privatePem }
  const mine = attacker[server.algorithm]
  const theirs = { alg: server.algorithm, privatePem: mine.privatePem }
  const attackerJwk = { ...createPublicKey(mine.publicPem).export({ format: 'jwk' }), kid: mine.kid, alg: server.algorithm }
  const serverJwk = { ...createPublicKey(server.publicPem).export({ format: 'jwk' }), kid: server.kid, alg: server.algorithm, use: 'sig' }
  const attackerUrl = 'https://attacker.example/jwks.json'
  const list: Attack[] = [
    { name: 'an unknown kid', token: signToken(claims, { kid: mine.kid }, theirs) },
    { name: 'the server\'s kid on the attacker\'s signature', token: signToken(claims, { kid: server.kid }, theirs) },
    { name: 'jku to the attacker\'s key set', token: signToken(claims, { kid: mine.kid, jku: attackerUrl }, theirs) },
    { name: 'x5u to the attacker\'s certificate', token: signToken(claims, { kid: mine.kid, x5u: 'https://attacker.example/cert.pem' }, theirs) },
    { name: 'jwk embedding the attacker\'s key', token: signToken(claims, { kid: mine.kid, jwk: attackerJwk }, theirs) },
    { name: 'jwk embedding the attacker\'s key under the server\'s kid', token: signToken(claims, { kid: server.kid, jwk: { ...attackerJwk, kid: server.kid } }, theirs) },
    { name: 'x5c with a made-up chain', token: signToken(claims, { kid: mine.kid, x5c: [Buffer.from('not a certificate').toString('base64')] }, theirs) },
    // Correctly signed, yet naming a key source: Tollgate never issues such a header, so none is trusted.
    { name: 'jku on a genuine signature', token: signToken(claims, { kid: server.kid, jku: attackerUrl }, own) },
    { name: 'x5c on a genuine signature', token: signToken(claims, { kid: server.kid, x5c: [] }, own) },
    { name: 'HS256 keyed with the server\'s public PEM', token: signToken(claims, { kid: server.kid }, { alg: 'HS256', secret: server.publicPem }) },
    { name: 'HS256 keyed with the public PEM, trimmed', token: signToken(claims, { kid: server.kid }, { alg: 'HS256', secret: server.publicPem.trim() }) },
    { name: 'HS256 keyed with the public JWK as JSON', token: signToken(claims, { kid: server.kid }, { alg: 'HS256', secret: JSON.stringify(serverJwk) }) },
    { name: 'HS256 keyed with the public PEM, no kid', token: signToken(claims, { kid: undefined }, { alg: 'HS256', secret: server.publicPem }) },
    { name: 'alg none', token: signToken(claims, { kid: server.kid }, { alg: 'none', signature: '' }) },
    { name: 'alg None with a signature', token: signToken(claims, { kid: server.kid }, { alg: 'None', signature: zeroSignature }) },
    { name: 'typ JWT on a genuine signature', token: signToken(claims, { kid: server.kid, typ: 'JWT' }, own) },
    { name: 'an unknown critical header', token: signToken(claims, { kid: server.kid, crit: ['exp-policy'], 'exp-policy': 1 }, own) },
    { name: 'a kid that is a number', token: signToken(claims, { kid: 1 }, theirs) },
    { name: 'a kid that is an object', token: signToken(claims, { kid: { $ne: null } }, theirs) },
    { name: 'kid __proto__', token: signToken(claims, { kid: '__proto__' }, theirs) },
    { name: 'kid constructor', token: signToken(claims, { kid: 'constructor' }, theirs) },
    { name: 'a kid that is a path', token: signToken(claims, { kid: '../../../../dev/null' }, { alg: 'HS256', secret: '' }) },
    { name: 'a very long kid', token: signToken(claims, { kid: 'k'.repeat(4000) }, theirs) },
    { name: 'a genuine signature over other claims', token: swapClaims(signToken(claims, { kid: server.kid }, own), accessClaims({ sub, roles: ['admin'] })) },
    { name: 'a zero signature', token: signToken(claims, { kid: server.kid }, { alg: server.algorithm, signature: zeroSignature }) },
    { name: 'an empty signature', token: signToken(claims, { kid: server.kid }, { alg: server.algorithm, signature: '' }) }
  ]
  for (const other of ASYMMETRIC.filter((algorithm) => algorithm !== server.algorithm)) {
    const foreign = { alg: other, privatePem: attacker[other].privatePem }
    list.push(
      { name: `${other}-signed under the server's kid`, token: signToken(claims, { kid: server.kid }, foreign) },
      { name: `${other}-signed under its own kid`, token: signToken(claims, { kid: attacker[other].kid }, foreign) }
    )
  }
  if (server.algorithm === 'ES256') {
    list.push({ name: 'an ECDSA signature of (n, n)', token: signToken(claims, { kid: server.kid }, { alg: 'ES256', signature: orderSignature }) })
  }
  if (server.algorithm === 'RS256') {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const weakPem = weak.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    list.push(
      { name: 'a 1024-bit RSA key under its own kid', token: signToken(claims, { kid: 'weak' }, { alg: 'RS256', privatePem: weakPem }) },
      { name: 'a 1024-bit RSA key under the server\'s kid', token: signToken(claims, { kid: server.kid }, { alg: 'RS256', privatePem: weakPem }) }
    )
  }
  return list
}

async function assertRefused (t: Test, app: FastifyInstance, url: string, list: Attack[]): Promise<void> {
  for (const { name, token } of list) {
    const response = await app.inject({ url, headers: bearer(token) })
    t.equal(response.statusCode, 401, name)
    t.match(response.headers['www-authenticate'], /^Bearer realm="tollgate", error="invalid_token", error_description="[^"]+"$/, `${name}: challenge`)
  }
}

/** A service that trusts only `server`'s public key, as another team would run it. */
async function relyingParty (t: Test, server: KeyFiles): Promise<FastifyInstance> {
  const app = Fastify()
  t.after(() => app.close())
  await app.register(tollgateAuth, { publicKey: server.publicPem, algorithm: server.algorithm, issuer: TEST_ISSUER, audience: 'tollgate-api' })
  app.get('/whoami', { config: { auth: true } }, async (request) => ({ sub: request.user.sub }))
  await app.ready()
  return app
}

t.test('forged and tampered tokens get 401 invalid_token, never a 5xx', async (t) => {
  const dir = t.testdir()
  const attacker = Object.fromEntries(ASYMMETRIC.map((algorithm) => [algorithm, writeKeyPair(dir, algorithm, `attacker-${algorithm}`)])) as Record<AsymmetricAlgorithm, KeyFiles>

  for (const algorithm of ASYMMETRIC) {
    t.test(`against Tollgate signing with ${algorithm}`, async (t) => {
      const server = writeKeyPair(dir, algorithm, `server-${algorithm}`)
      const app = await build(t, signingEnv(server))
      const alice = await createUser(app)
      const genuine = signToken(accessClaims({ sub: alice.id }), { kid: server.kid }, { alg: algorithm, privatePem: server.privatePem })
      t.equal((await app.inject({ url: '/users/me', headers: bearer(genuine) })).statusCode, 200, 'the forging itself is sound')
      await assertRefused(t, app, '/users/me', attacks(server, attacker, alice.id))
    })

    t.test(`against a service given Tollgate's ${algorithm} public key`, async (t) => {
      const server = writeKeyPair(dir, algorithm, `service-${algorithm}`)
      const app = await relyingParty(t, server)
      const genuine = signToken(accessClaims(), { kid: server.kid }, { alg: algorithm, privatePem: server.privatePem })
      t.equal((await app.inject({ url: '/whoami', headers: bearer(genuine) })).statusCode, 200, 'the forging itself is sound')
      await assertRefused(t, app, '/whoami', attacks(server, attacker, 'user-1'))
    })
  }
})
