import t, { type Test } from 'tap'
import { bearer, build, login } from '../helper.js'
import { loginStatus } from '../support/sessions.js'
import { cli, fakeTerminal, fileEnv, isOneErrorLine } from './run-cli.js'

const PASSWORD = 'correct horse battery staple'
const NEW_PASSWORD = 'a kettle of falcons at noon'

async function withAlice (t: Test) {
  const env = fileEnv(t.testdir())
  const id = (await cli(['user', 'add', 'alice'], env, `${PASSWORD}\n`)).stdout.trim()
  const app = await build(t, { DATABASE_URL: env.DATABASE_URL })
  return { env, id, app, token: await login(app, { username: 'alice', password: PASSWORD }) }
}

t.test('user passwd sets the password from standard input and ends every session', async (t) => {
  const { env, app, token } = await withAlice(t)
  const { code, stdout, stderr } = await cli(['user', 'passwd', 'ALICE'], env, `${NEW_PASSWORD}\n`)
  t.equal(code, 0, stderr)
  t.equal(stderr, '')
  t.equal(stdout, 'alice has a new password; the sessions they had are ended\n')

  const fresh = await build(t, { DATABASE_URL: env.DATABASE_URL })
  t.equal((await fresh.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401, 'a token held before is refused')
  t.equal(await loginStatus(app, 'alice', PASSWORD), 401, 'the old password no longer logs in')
  t.equal(await loginStatus(app, 'alice', NEW_PASSWORD), 200, 'the new one does')
})

t.test('user passwd holds to the password policy and changes nothing when it refuses', async (t) => {
  const { env, app } = await withAlice(t)
  for (const [input, reason] of [['short\n', /at least 8 characters/], ['iloveyou\n', /most common passwords/], ['', /no password on standard input/]] as const) {
    const { code, stdout, stderr } = await cli(['user', 'passwd', 'alice'], env, input)
    t.equal(code, 1, JSON.stringify(input))
    t.equal(stdout, '')
    t.ok(isOneErrorLine(stderr), stderr)
    t.match(stderr, reason)
  }
  t.equal(await loginStatus(app, 'alice', PASSWORD), 200)
})

t.test('user passwd on a terminal asks twice without echo', async (t) => {
  const { env, app } = await withAlice(t)
  const terminal = fakeTerminal(`${NEW_PASSWORD}\r${NEW_PASSWORD}\r`)
  const { code, stderr } = await cli(['user', 'passwd', 'alice'], env, terminal.stdin)
  t.equal(code, 0, stderr)
  t.equal(stderr, 'Password for alice: \nRepeat it: \n')
  t.same(terminal.rawModes, [true, false])
  t.equal(await loginStatus(app, 'alice', NEW_PASSWORD), 200)
})

t.test('user delete removes the user and ends their tokens; the name can be used again under a new id', async (t) => {
  const { env, id, token } = await withAlice(t)
  const { code, stdout, stderr } = await cli(['user', 'delete', 'alice'], env)
  t.equal(code, 0, stderr)
  t.equal(stdout, 'alice is deleted; the tokens they held no longer work\n')

  const app = await build(t, { DATABASE_URL: env.DATABASE_URL })
  t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401, 'the token held before is refused')
  t.equal(await loginStatus(app, 'alice', PASSWORD), 401)
  t.notMatch((await cli(['user', 'list'], env)).stdout, 'alice')

  const again = await cli(['user', 'add', 'alice'], env, `${NEW_PASSWORD}\n`)
  t.equal(again.code, 0, again.stderr)
  t.not(again.stdout.trim(), id, 'a new id')
  t.equal((await app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401, 'the old token does not come back with the name')
})

t.test('passwd and delete name an unknown user in one line', async (t) => {
  const env = fileEnv(t.testdir())
  for (const argv of [['user', 'passwd', 'nobody'], ['user', 'delete', 'nobody']]) {
    const { code, stdout, stderr } = await cli(argv, env, `${NEW_PASSWORD}\n`)
    t.equal(code, 1, argv.join(' '))
    t.equal(stdout, '')
    t.ok(isOneErrorLine(stderr), stderr)
    t.match(stderr, 'no user named "nobody"')
  }
})

t.test('each change is an audit line on standard error naming who, whom and what, never the password', async (t) => {
  const env = { ...fileEnv(t.testdir()), LOG_LEVEL: 'info' }
  const add = await cli(['user', 'add', 'alice', '--roles', 'reader'], env, `${PASSWORD}\n`)
  const passwd = await cli(['user', 'passwd', 'alice'], env, `${NEW_PASSWORD}\n`)
  const remove = await cli(['user', 'delete', 'alice'], env)
  const id = add.stdout.trim()
  const events = [add, passwd, remove].map((run) => {
    t.equal(run.code, 0)
    t.notMatch(run.stderr, PASSWORD)
    t.notMatch(run.stderr, NEW_PASSWORD)
    return JSON.parse(run.stderr)
  })
  t.match(events, [
    { event: 'admin.user.create', outcome: 'success', source: 'cli', by: /^cli:/, userId: id, username: 'alice', roles: ['reader'] },
    { event: 'admin.user.password', outcome: 'success', by: /^cli:/, userId: id, username: 'alice' },
    { event: 'admin.user.delete', outcome: 'success', by: /^cli:/, userId: id, username: 'alice' }
  ])
  t.equal(add.stdout, `${id}\n`, 'standard output is still the id alone')
})
