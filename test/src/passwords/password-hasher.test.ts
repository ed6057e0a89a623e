import argon2 from 'argon2'
import t from 'tap'
import { createPasswordHasher } from '../../../src/passwords/password-hasher.js'

/** The variant, version and cost parameters an encoded argon2 hash was made with, read from the string itself. */
function parameters (encoded: string) {
  const [, type, version, params] = encoded.split('$')
  if (type === undefined || version === undefined || params === undefined) throw new Error(`not an encoded argon2 hash: ${encoded.slice(0, 12)}…`)
  const costs = Object.fromEntries(params.split(',').map((pair) => pair.split('=')))
  return { type, version: Number(version.slice('v='.length)), m: Number(costs.m), t: Number(costs.t), p: Number(costs.p) }
}

const CURRENT = { type: 'argon2id', version: 19, m: 19_456, t: 2, p: 1 }

t.test('hashes are argon2id with m=19456, t=2, p=1', async (t) => {
  const passwords = await createPasswordHasher()
  const hash = await passwords.hash('correct horse battery staple')
  t.same(parameters(hash), CURRENT)
  t.not(await passwords.hash('correct horse battery staple'), hash, 'each hash has its own salt')
})

t.test('the right password verifies and needs no rehash; a wrong one does not verify', async (t) => {
  const passwords = await createPasswordHasher()
  const hash = await passwords.hash('correct horse battery staple')
  t.same(await passwords.verify(hash, 'correct horse battery staple'), { ok: true, value: {} })
  t.match(await passwords.verify(hash, 'Correct horse battery staple'), { ok: false, error: { code: 'ERR_INVALID_CREDENTIALS' } })
  t.match(await passwords.verify(hash, ''), { ok: false, error: { code: 'ERR_INVALID_CREDENTIALS' } })
})

t.test('an unknown user (no stored hash) never verifies', async (t) => {
  const passwords = await createPasswordHasher()
  t.match(await passwords.verify(undefined, 'anything'), { ok: false, error: { code: 'ERR_INVALID_CREDENTIALS' } })
  t.match(await passwords.verify(undefined, ''), { ok: false, error: { code: 'ERR_INVALID_CREDENTIALS' } })
})

t.test('a hash made with other parameters verifies and comes with a rehash at the current ones', async (t) => {
  const passwords = await createPasswordHasher()
  const old = await argon2.hash('correct horse battery staple') // argon2's defaults: m=65536, t=3, p=4
  t.not(parameters(old).m, CURRENT.m, 'the old hash really has other parameters')

  const check = await passwords.verify(old, 'correct horse battery staple')
  t.equal(check.ok, true)
  if (!check.ok || check.value.rehash === undefined) throw new Error('expected a rehash')
  t.same(parameters(check.value.rehash), CURRENT)
  t.same(await passwords.verify(check.value.rehash, 'correct horse battery staple'), { ok: true, value: {} }, 'the new hash verifies the same password')

  t.match(await passwords.verify(old, 'wrong'), { ok: false, error: { code: 'ERR_INVALID_CREDENTIALS' } }, 'a wrong password gets no rehash')
})

t.test('a hash of another argon2 variant is upgraded to argon2id', async (t) => {
  const passwords = await createPasswordHasher()
  const old = await argon2.hash('correct horse battery staple', { type: argon2.argon2i, memoryCost: 19_456, timeCost: 2, parallelism: 1 })
  const check = await passwords.verify(old, 'correct horse battery staple')
  t.equal(check.ok, true)
  if (!check.ok || check.value.rehash === undefined) throw new Error('expected a rehash of an argon2i hash')
  t.same(parameters(check.value.rehash), CURRENT)
})

t.test('a stored value that is not an argon2 hash never verifies and never throws', async (t) => {
  const passwords = await createPasswordHasher()
  for (const garbage of ['', 'not a hash', '$argon2id$v=19$m=19456,t=2,p=1$', '$2b$10$abcdefghijklmnopqrstuv', '$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA']) {
    t.match(await passwords.verify(garbage, 'anything'), { ok: false, error: { code: 'ERR_INVALID_CREDENTIALS' } }, JSON.stringify(garbage))
  }
})
