import t from 'tap'
import { TEST_ISSUER } from '../../support/forge.js'
import { createTokenService } from '../../../src/auth/tokens.js'
import { createAccessTokenVerifier, signatureCheck, type SignatureCheck } from '../../../src/auth/verifier.js'

const constraints = { issuer: TEST_ISSUER, audience: 'tollgate-api' }
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
