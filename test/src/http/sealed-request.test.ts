import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createRequestSeal, sealKey } from '../../../src/http/sealed-request.js'

const REQUEST = { clientId: 'web-app', redirectUri: 'https://app.example/cb', scope: '', resource: 'tollgate-api', codeChallenge: 'x'.repeat(43), state: 's' }

t.test('a sealed request opens as it was for ten minutes, then never', async (t) => {
  let now = 1_000_000
  const seal = createRequestSeal(sealKey({ JWT_SECRET: 'a-secret-that-is-at-least-32-bytes-long' }), () => now)
  const sealed = seal.seal(REQUEST)
  t.same(seal.open(sealed), REQUEST)
  now += 10 * 60_000 - 1
  t.same(seal.open(sealed), REQUEST, 'until the last millisecond')
  now += 1
  t.equal(seal.open(sealed), undefined, 'past its time')
})

t.test('the key comes from the signing key material every instance shares', async (t) => {
  const file = join(t.testdir(), 'key.pem')
  writeFileSync(file, 'not really a key, but material all the same')
  const fromFile = sealKey({ JWT_PRIVATE_KEY_FILE: file })
  t.same(fromFile, sealKey({ JWT_PRIVATE_KEY_FILE: file }), 'two instances derive one key')
  t.notSame(fromFile, sealKey({ JWT_SECRET: 'a-secret-that-is-at-least-32-bytes-long' }))
  t.notSame(sealKey({}), sealKey({}), 'without material, a key of this process alone')
  const sealed = createRequestSeal(fromFile).seal(REQUEST)
  t.equal(createRequestSeal(sealKey({ JWT_SECRET: 'a-secret-that-is-at-least-32-bytes-long' })).open(sealed), undefined)
})
