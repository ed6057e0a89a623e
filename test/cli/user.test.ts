import { Readable } from 'node:stream'
import t from 'tap'
import type { Environment } from '../../src/config/environment.js'
import { bearer, build, login } from '../helper.js'
import { cli, fakeTerminal, fileEnv, isOneErrorLine } from './run-cli.js'

const PASSWORD = 'correct horse battery staple'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** An app on the same SQLite file the CLI writes, as a running server would be. */
const serverOn = (t: Parameters<typeof build>[0], env: Environment) => build(t, { DATABASE_URL: env.DATABASE_URL })

async function loginStatus (app: Awaited<ReturnType<typeof serverOn>>, username: string, password: string): Promise<number> {
  const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } })
  return response.statusCode
}

t.test('user add reads the password from stdin and prints only the new id; the user can log in', async (t) => {
  const env = fileEnv(t.testdir())
  const { code, stdout, stderr } = await cli(['user', 'add', 'alice', '--roles', 'admin,reader'], env, `${PASSWORD}\n`)
  t.equal(code, 0, stderr)
  t.equal(stderr, '')
  t.match(stdout, /\n$/)
  const id = stdout.trim()
  t.match(id, UUID, 'stdout is the id and nothing else')

  const app = await serverOn(t, env)
  const token = await login(app, { username: 'alice', password: PASSWORD })
  const me = await app.inject({ url: '/users/me', headers: bearer(token) })
  t.same(me.json(), { id, username: 'alice', roles: ['admin', 'reader'] })
})

t.test('the password is the first line, without its line ending, spaces kept', async (t) => {
  const env = fileEnv(t.testdir())
  t.equal((await cli(['user', 'add', 'bob'], env, ' with spaces \r\nsecond line\n')).code, 0)
  t.equal((await cli(['user', 'add', 'carol'], env, 'no newline at the end')).code, 0)
  const app = await serverOn(t, env)
  t.equal(await loginStatus(app, 'bob', ' with spaces '), 200)
  t.equal(await loginStatus(app, 'carol', 'no newline at the end'), 200)
})

t.test('user add refuses a short, missing, overlong or common password and creates nobody', async (t) => {
  const env = fileEnv(t.testdir())
  const cases: Array<[string, RegExp]> = [
    ['seven7\n', /at least 8 characters/],
    ['', /no password on standard input/],
    ['\n', /at least 8 characters/],
    [`${'x'.repeat(129)}\n`, /at most 128 characters/],
    ['password1\n', /most common passwords/],
    ['Alice123\n', /most common passwords/],
    ['x'.repeat(70_000), /too long to be a password/]
  ]
  for (const [input, reason] of cases) {
    const { code, stdout, stderr } = await cli(['user', 'add', 'alice'], env, input)
    t.equal(code, 1)
    t.equal(stdout, '')
    t.ok(isOneErrorLine(stderr), stderr)
    t.match(stderr, reason)
  }
  const broken = new Readable({ read () { this.destroy(new Error('EIO: i/o error, read')) } })
  const unreadable = await cli(['user', 'add', 'alice'], env, broken)
  t.equal(unreadable.code, 1)
  t.equal(unreadable.stderr, 'tollgate: cannot read standard input: EIO: i/o error, read\n')

  t.equal((await cli(['user', 'list'], env)).stdout.split('\n').filter(Boolean).length, 1, 'only the header')
})

t.test('a taken username, in any case, is refused with one line', async (t) => {
  const env = fileEnv(t.testdir())
  t.equal((await cli(['user', 'add', 'alice'], env, `${PASSWORD}\n`)).code, 0)
  for (const name of ['alice', 'ALICE', 'Alice']) {
    const { code, stdout, stderr } = await cli(['user', 'add', name], env, `${PASSWORD}\n`)
    t.equal(code, 1, name)
    t.equal(stdout, '')
    t.ok(isOneErrorLine(stderr), stderr)
    t.match(stderr, `username "${name}" is already taken`)
  }
})

t.test('user add refuses usernames and roles the API could not use', async (t) => {
  const env = fileEnv(t.testdir())
  const cases: Array<[string[], RegExp]> = [
    [['user', 'add', ''], /must not be empty/],
    [['user', 'add', 'a'.repeat(65)], /limited to 64 characters/],
    [['user', 'add', '\uFDFA'.repeat(4)], /limited to 64 characters/],
    [['user', 'add', ' alice'], /start or end with a space/],
    [['user', 'add', 'al\nice'], /control or format characters/],
    [['user', 'add', 'al\u202eice'], /control or format characters/],
    [['user', 'add', 'alice', '--roles', 'admin,no spaces'], /"no spaces" is not a role name/],
    [['user', 'add', 'alice', '--roles', Array.from({ length: 33 }, (_, i) => `r${i}`).join(',')], /at most 32 roles/]
  ]
  for (const [argv, reason] of cases) {
    const { code, stderr } = await cli(argv, env, `${PASSWORD}\n`)
    t.equal(code, 1, JSON.stringify(argv))
    t.ok(isOneErrorLine(stderr), stderr)
    t.match(stderr, reason)
  }
})

t.test('user list shows id, username, roles and disabled for every user', async (t) => {
  const env = fileEnv(t.testdir())
  const alice = (await cli(['user', 'add', 'alice', '--roles', 'admin, reader,admin'], env, `${PASSWORD}\n`)).stdout.trim()
  const bob = (await cli(['user', 'add', 'bob'], env, `${PASSWORD}\n`)).stdout.trim()
  await cli(['user', 'disable', 'bob'], env)

  const { code, stdout } = await cli(['user', 'list'], env)
  t.equal(code, 0)
  const rows = stdout.trimEnd().split('\n').map((line) => line.split(/\s{2,}/))
  t.same(rows, [
    ['ID', 'USERNAME', 'ROLES', 'DISABLED'],
    [alice, 'alice', 'admin,reader', 'no'],
    [bob, 'bob', '-', 'yes']
  ])
})

t.test('user roles replaces the roles and ends the tokens the user held', async (t) => {
  const env = fileEnv(t.testdir())
  // Another admin, so alice's admin role may go again.
  await cli(['user', 'add', 'root', '--roles', 'admin'], env, `${PASSWORD}\n`)
  await cli(['user', 'add', 'alice', '--roles', 'reader'], env, `${PASSWORD}\n`)
  const before = await serverOn(t, env)
  const oldToken = await login(before, { username: 'alice', password: PASSWORD })

  const { code, stdout, stderr } = await cli(['user', 'roles', 'ALICE', 'admin,auditor'], env)
  t.equal(code, 0, stderr)
  t.match(stdout, 'alice now has the roles admin,auditor')

  const after = await serverOn(t, env)
  t.equal((await after.inject({ url: '/users/me', headers: bearer(oldToken) })).statusCode, 401, 'a token with the old roles is refused')
  const newToken = await login(after, { username: 'alice', password: PASSWORD })
  t.same((await after.inject({ url: '/users/me', headers: bearer(newToken) })).json().roles, ['admin', 'auditor'])

  const cleared = await cli(['user', 'roles', 'alice', ''], env)
  t.equal(cleared.code, 0)
  t.match(cleared.stdout, 'alice now has no roles')
  t.match((await cli(['user', 'list'], env)).stdout, /alice\s+-\s+no/)

  const invalid = await cli(['user', 'roles', 'alice', 'admin,b@d'], env)
  t.equal(invalid.code, 1)
  t.ok(isOneErrorLine(invalid.stderr), invalid.stderr)
  t.match(invalid.stderr, '"b@d" is not a role name')
})

t.test('user disable stops logins and ends tokens; user enable lets the user back in', async (t) => {
  const env = fileEnv(t.testdir())
  await cli(['user', 'add', 'alice'], env, `${PASSWORD}\n`)
  const app = await serverOn(t, env)
  const token = await login(app, { username: 'alice', password: PASSWORD })

  const disabled = await cli(['user', 'disable', 'alice'], env)
  t.equal(disabled.code, 0, disabled.stderr)
  t.match(disabled.stdout, 'alice is disabled')
  t.equal(await loginStatus(app, 'alice', PASSWORD), 401)
  const fresh = await serverOn(t, env)
  t.equal((await fresh.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401, 'the token held before is refused')

  t.equal((await cli(['user', 'disable', 'alice'], env)).code, 0, 'disabling twice is harmless')
  const enabled = await cli(['user', 'enable', 'alice'], env)
  t.equal(enabled.code, 0, enabled.stderr)
  t.match(enabled.stdout, 'alice is enabled')
  t.equal(await loginStatus(app, 'alice', PASSWORD), 200)
})

t.test('an unknown user is one line and exit code 1', async (t) => {
  const env = fileEnv(t.testdir())
  for (const argv of [['user', 'roles', 'nobody', 'admin'], ['user', 'disable', 'nobody'], ['user', 'enable', 'nobody']]) {
    const { code, stdout, stderr } = await cli(argv, env)
    t.equal(code, 1, argv.join(' '))
    t.equal(stdout, '')
    t.ok(isOneErrorLine(stderr), stderr)
    t.match(stderr, 'no user named "nobody"')
  }
})

t.test('on a terminal the password is typed twice without echo', async (t) => {
  const env = fileEnv(t.testdir())
  // A typo fixed with backspace, and both lines arriving in one chunk as a paste would.
  const terminal = fakeTerminal(`${PASSWORD.slice(0, -1)}x\u007fe\r${PASSWORD}\r`)
  const { code, stdout, stderr } = await cli(['user', 'add', 'alice'], env, terminal.stdin)
  t.equal(code, 0, stderr)
  t.match(stdout, /^[0-9a-f-]{36}\n$/)
  t.equal(stderr, 'Password for alice: \nRepeat it: \n')
  t.same(terminal.rawModes, [true, false], 'echo is off while typing, and back on after')
  t.equal(await loginStatus(await serverOn(t, env), 'alice', PASSWORD), 200)
})

t.test('on a terminal two different passwords, or Ctrl-C, create nobody', async (t) => {
  const env = fileEnv(t.testdir())
  const differ = fakeTerminal(`${PASSWORD}\rsomething else\r`)
  const mismatch = await cli(['user', 'add', 'alice'], env, differ.stdin)
  t.equal(mismatch.code, 1)
  t.match(mismatch.stderr, /\ntollgate: the two passwords differ\n$/)
  t.same(differ.rawModes, [true, false])

  const interrupted = fakeTerminal('half a pass', '\u0003')
  const cancelled = await cli(['user', 'add', 'alice'], env, interrupted.stdin)
  t.equal(cancelled.code, 130)
  t.match(cancelled.stderr, /\ntollgate: cancelled\n$/)
  t.same(interrupted.rawModes, [true, false])

  t.notMatch((await cli(['user', 'list'], env)).stdout, 'alice')
})

t.test('the CLI will not delete, demote or disable the only enabled admin either', async (t) => {
  const env = fileEnv(t.testdir())
  t.equal((await cli(['user', 'add', 'root', '--roles', 'admin'], env, `${PASSWORD}\n`)).code, 0)
  for (const argv of [['user', 'delete', 'root'], ['user', 'roles', 'root', 'reader'], ['user', 'disable', 'root']]) {
    const { code, stderr } = await cli(argv, env)
    t.equal(code, 1, argv.join(' '))
    t.ok(isOneErrorLine(stderr), stderr)
    t.match(stderr, /root is the only enabled admin: make another user an admin first/, argv.join(' '))
  }
  t.equal((await cli(['user', 'add', 'alice', '--roles', 'admin'], env, `${PASSWORD}\n`)).code, 0)
  t.equal((await cli(['user', 'delete', 'root'], env)).code, 0, 'with another admin, it may go')
})
