import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadSigningKey } from '@tollgate/auth/tokens/keys'
import { bearer, build, login } from '../helper.js'
import { CLI_SCRIPT as BIN, runTollgateCli as tollgate } from '../support/processes.js'
import { fileEnv, isOneErrorLine } from './run-cli.js'

const PASSWORD = 'correct horse battery staple'

if (!existsSync(BIN)) {
  t.fail(`${BIN} is missing: run \`npm run build\` first (\`npm test\` does)`)
} else {
  t.test('the built tollgate prints its help, and refuses a bad command line in one line', async (t) => {
    const dir = t.testdir()
    const help = await tollgate(['--help'], fileEnv(dir), dir)
    t.equal(help.code, 0, help.stderr)
    t.match(help.stdout, 'tollgate user add <username> [--roles a,b]')

    const bad = await tollgate(['user', 'frobnicate'], fileEnv(dir), dir)
    t.equal(bad.code, 2)
    t.equal(bad.stdout, '')
    t.ok(isOneErrorLine(bad.stderr), bad.stderr)

    const badConfig = await tollgate(['user', 'list'], { ...fileEnv(dir), DATABASE_URL: 'mysql://localhost/tollgate' }, dir)
    t.equal(badConfig.code, 1)
    t.ok(isOneErrorLine(badConfig.stderr), badConfig.stderr)
    t.match(badConfig.stderr, 'DATABASE_URL')
  })

  t.test('a user added by the built tollgate logs in; once disabled, they cannot', async (t) => {
    const dir = t.testdir()
    const env = fileEnv(dir)
    const added = await tollgate(['user', 'add', 'bob', '--roles', 'reader'], env, dir, `${PASSWORD}\n`)
    t.equal(added.code, 0, added.stderr)
    t.match(added.stdout, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/)

    const taken = await tollgate(['user', 'add', 'BOB'], env, dir, `${PASSWORD}\n`)
    t.equal(taken.code, 1)
    t.ok(isOneErrorLine(taken.stderr), taken.stderr)

    const app = await build(t, { DATABASE_URL: env.DATABASE_URL })
    const token = await login(app, { username: 'bob', password: PASSWORD })

    const disabled = await tollgate(['user', 'disable', 'bob'], env, dir)
    t.equal(disabled.code, 0, disabled.stderr)
    const again = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'bob', password: PASSWORD } })
    t.equal(again.statusCode, 401, 'a disabled user cannot log in')
    const fresh = await build(t, { DATABASE_URL: env.DATABASE_URL })
    t.equal((await fresh.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 401, 'nor use a token from before')
  })

  t.test('the built tollgate writes a key pair into ./keys of its working folder', async (t) => {
    const dir = t.testdir()
    const { code, stdout, stderr } = await tollgate(['keys', 'generate', '--alg', 'ES256'], {}, dir)
    t.equal(code, 0, stderr)
    const kid = /kid ([A-Za-z0-9_-]{43}):/.exec(stdout)?.[1] ?? ''
    const privateFile = join(dir, 'keys', `${kid}.private.pem`)
    t.match(stdout, `JWT_PRIVATE_KEY_FILE=${privateFile}\n`)
    t.equal(statSync(privateFile).mode & 0o777, 0o600)
    t.equal(loadSigningKey('ES256', readFileSync(privateFile)).kid, kid)
    t.notOk(existsSync(join(dir, '.env')), 'no first-run secret is written by a command that opens no store')
  })
}
