import t from 'tap'
import { TEST_ISSUER } from '../../support/forge.js'
import { createTokenService } from '../../../src/tokens/token-service.js'
import { createAccessTokenVerifier, signatureCheck, type SignatureCheck } from '@tollgate/auth/tokens/verifier'
import { accessClaims, signToken } from '../../support/forge.js'

const constraints = { issuer: TEST_ISSUER, audience: 'tollgate-api' }
// The refusal names what was expected: a token signed under another PUBLIC_URL is then plain to see.
const WRONG_CLAIMS = `The access token was not issued for this audience or by this issuer: expected issuer ${TEST_ISSUER} and audience tollgate-api`
const SECRET = 'a-verifier-test-secret-of-at-least-32-bytes'
const issuer = createTokenService({ ...constraints, algorithm: 'HS256', secret: SECRET, ttlSeconds: 60 })

/** A verifier whose signature checks are counted, to tell a remembered token from a checked one. */
function countingVerifier () {
  const counted = { checks: 0 }
  const real = signatureCheck('HS256', SECRET, constraints)
  const check: SignatureCheck = (token) => { counted.checks++; return real(token) }
  return { counted, verifier: createAccessTokenVerifier(constraints, () => check) }
}

t.test('a connection that sends the same token again gets the remembered claims, without a check', async (t) => {
  const { counted, verifier } = countingVerifier()
  const connection = {}
  const { token } = issuer.issue({ id: 'user-1', roles: [] })
  const first = verifier.verify(token, connection)
  t.equal(counted.checks, 1)
  t.equal(verifier.verify(String(token), connection), first, 'an equal string, not the same object, is enough')
  t.equal(counted.checks, 1)
})

t.test('a different token on the same connection is checked on its own', async (t) => {
  const { verifier } = countingVerifier()
  const connection = {}
  const { token } = issuer.issue({ id: 'user-1', roles: [] })
  verifier.verify(token, connection)
  const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA')
  t.throws(() => verifier.verify(tampered, connection), { name: 'InvalidTokenError' })
  const other = issuer.issue({ id: 'user-2', roles: [] }).token
  t.equal((verifier.verify(other, connection) as { sub: string }).sub, 'user-2')
})

t.test('what a connection remembers is never served past exp, nor after forgetVerified', async (t) => {
  const { counted, verifier } = countingVerifier()
  const connection = {}
  const { token, claims } = issuer.issue({ id: 'user-1', roles: [] })
  verifier.verify(token, connection)
  verifier.forgetVerified()
  verifier.verify(token, connection)
  t.equal(counted.checks, 2, 'forgotten: checked again')

  const realNow = Date.now
  t.teardown(() => { Date.now = realNow })
  Date.now = () => claims.exp * 1000 + 5001
  t.throws(() => verifier.verify(token, connection), { name: 'InvalidTokenError', description: 'The access token expired' })
})

t.test('a token the payload alone refuses costs no signature check', async (t) => {
  const { counted, verifier } = countingVerifier()
  const now = Math.floor(Date.now() / 1000)
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['expired', { iat: now - 1000, nbf: now - 1000, exp: now - 100 }, 'The access token expired'],
    ['not valid yet', { nbf: now + 100 }, 'The access token is not valid yet'],
    ['for another audience', { aud: 'another-api' }, WRONG_CLAIMS],
    ['for none of its audiences', { aud: ['another-api', 'a-third-api'] }, WRONG_CLAIMS],
    ['from another issuer', { iss: 'https://elsewhere.example' }, WRONG_CLAIMS]
  ]
  for (const [name, claims, description] of cases) {
    const token = signToken(accessClaims(claims), {}, { alg: 'HS256', secret: SECRET })
    t.throws(() => verifier.verify(token), { name: 'InvalidTokenError', description }, name)
  }
  t.equal(counted.checks, 0)
  const listed = signToken(accessClaims({ aud: ['another-api', 'tollgate-api'] }), {}, { alg: 'HS256', secret: SECRET })
  t.equal((verifier.verify(listed) as { sub: string }).sub, 'user-1', 'an audience among several is accepted')
  t.equal(counted.checks, 1)
})

t.test('a final refusal is remembered, on the connection and beyond it; one time may undo is not', async (t) => {
  const { counted, verifier } = countingVerifier()
  const { token } = issuer.issue({ id: 'user-1', roles: [] })
  const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA')
  const connection = {}
  for (let i = 0; i < 3; i++) t.equal(verifier.judge(forged, connection), verifier.judge(forged), 'the same prebuilt error')
  t.match(verifier.judge(forged), { description: 'The access token signature is invalid' })
  t.equal(counted.checks, 1, 'its signature was checked once')

  verifier.forgetVerified()
  t.match(verifier.judge(forged, connection), { description: 'The access token signature is invalid' })
  t.equal(counted.checks, 2, 'forgotten with the keys: checked again')

  const early = signToken(accessClaims({ nbf: Math.floor(Date.now() / 1000) + 100 }), {}, { alg: 'HS256', secret: SECRET })
  verifier.judge(early, connection)
  const realNow = Date.now
  t.teardown(() => { Date.now = realNow })
  Date.now = () => realNow() + 100_000
  t.match(verifier.judge(early, connection), { sub: 'user-1' }, 'a token used early verifies once its time comes')
})

t.test('garbage is refused as malformed, each kind by the same error object', async (t) => {
  const { counted, verifier } = countingVerifier()
  const payload = Buffer.from('{"sub":"x"}').toString('base64url')
  const garbage = ['abc', '.abc.def', 'abc.def', `${Buffer.from('[1]').toString('base64url')}.${payload}.sig`, `e30.${Buffer.from('"x"').toString('base64url')}.sig`, 'e30.!!!.sig']
  const refusals = new Set(garbage.map((token) => verifier.judge(token)))
  t.equal(refusals.size, 1)
  t.match([...refusals][0], { name: 'InvalidTokenError', description: 'The access token is malformed' })
  t.equal(counted.checks, 0)
})
