import t from 'tap'
import { hashClientSecret, newClientSecret, parseStoredSecret, secretMatches } from '../../../src/clients/client-secrets.js'

t.test('a secret is 256 random bits, stored as the base64url SHA-256 of its text', async (t) => {
  const secret = newClientSecret()
  t.match(secret, /^[A-Za-z0-9_-]{43}$/)
  t.not(newClientSecret(), secret)
  t.equal(hashClientSecret('abc'), 'sha256:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
})

t.test('a stored secret is read as a SHA-256 digest or an argon2 hash; anything else never matches', async (t) => {
  const stored = parseStoredSecret(hashClientSecret('abc'))
  t.equal(stored?.kind, 'sha256')
  t.same(parseStoredSecret('$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'), { kind: 'argon2', hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' })
  for (const other of [undefined, '', 'sha256:short', 'plaintext', '$2b$10$bcrypt']) t.equal(parseStoredSecret(other), undefined, String(other))
})

t.test('only the secret itself matches its digest; no digest matches nothing', async (t) => {
  const stored = parseStoredSecret(hashClientSecret('the secret'))
  const digest = stored?.kind === 'sha256' ? stored.digest : undefined
  t.equal(secretMatches(digest, 'the secret'), true)
  for (const wrong of ['', 'the secre', 'the secret ', 'The secret', 'the secret'.repeat(100)]) t.equal(secretMatches(digest, wrong), false, JSON.stringify(wrong))
  t.equal(secretMatches(undefined, 'the secret'), false)
  t.equal(secretMatches(undefined, ''), false)
})
