import t from 'tap'
import { createBreachedPasswords } from '../../../src/passwords/breached-passwords.js'
import { checkNewPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../../src/passwords/password-policy.js'

t.test('the breached list holds the most common passwords, past the 100,000th, whatever their case', async (t) => {
  const isBreached = createBreachedPasswords({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH })
  // From the top of the "10 million passwords" list, and from near the end of its top 100,000.
  for (const password of ['password', '12345678', 'iloveyou', 'trustno1', 'vfhbyf123', 'tambov68', 'Tojiik85521133', 'weihnachtsbau', 'serggalant']) {
    t.ok(await isBreached(password), password)
  }
  t.ok(await isBreached('PASSWORD'), 'compared regardless of case')
  t.ok(await isBreached('TrustNo1'))
  for (const password of ['correct horse battery staple', 'a kettle of falcons at noon', 'plum orbit wax garden']) {
    t.notOk(await isBreached(password), `${password} is not listed`)
  }
  t.notOk(await isBreached('123456'), 'entries shorter than the minimum are not kept: the length rule refuses them first')
})

t.test('a list that cannot be read fails the call and is read again on the next one', async (t) => {
  let reads = 0
  const { createBreachedPasswords: create } = await t.mockImport<typeof import('../../../src/passwords/breached-passwords.js')>(
    '../../../src/passwords/breached-passwords.js', {
    'node:fs/promises': {
      readFile: async (file: string) => {
        if (reads++ === 0) throw new Error('EIO: i/o error, read')
        const { readFile } = await import('node:fs/promises')
        return readFile(file)
      }
    }
  })
  const isBreached = create({ minLength: 8, maxLength: 128 })
  await t.rejects(isBreached('password'), /EIO/)
  t.ok(await isBreached('password'), 'the second call reads it')
  t.ok(await isBreached('iloveyou'))
  t.equal(reads, 2, 'and it is read once more, not on every call')
})

t.test('the policy: 8 to 128 characters as code points, not the username, not breached; no composition rules', async (t) => {
  const refused: Array<[string, string | undefined, RegExp]> = [
    ['seven77', undefined, /^the password must be at least 8 characters long$/],
    ['𝒜'.repeat(7), undefined, /at least 8/],
    ['a'.repeat(129), undefined, /^the password must be at most 128 characters long$/],
    ['Alice.Smith', 'alice.smith', /^the password must not be the username$/],
    ['qwertyuiop', undefined, /most common passwords/]
  ]
  for (const [password, username, message] of refused) {
    await t.rejects(checkNewPassword(password, username === undefined ? {} : { username }), { code: 'ERR_PASSWORD_REJECTED', statusCode: 400, message })
  }
  await t.rejects(checkNewPassword('short', { label: 'the new password' }), { message: /^the new password must be/ })
  for (const password of ['alllowercaseletters', '𝒜'.repeat(8), 'a'.repeat(128), '12 ways to say it', 'plum orbit wax garden']) {
    await t.resolves(checkNewPassword(password, { username: 'alice' }), `${password.slice(0, 20)} is accepted`)
  }
})
