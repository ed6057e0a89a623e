import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { cli, fileEnv, isOneErrorLine } from './run-cli.js'

const COMMANDS = [
  'user add', 'user list', 'user roles', 'user disable', 'user enable',
  'client add', 'client list', 'client update', 'client disable', 'client enable', 'client rotate-secret', 'client set-key',
  'token issue', 'keys generate', 'keys rotate', 'secret', 'migrate', 'help'
]

t.test('--help and help list every command, one entry each', async (t) => {
  for (const argv of [['--help'], ['-h'], ['help']]) {
    const { code, stdout, stderr } = await cli(argv, undefined)
    t.equal(code, 0, argv.join(' '))
    t.equal(stderr, '')
    for (const name of COMMANDS) {
      t.equal(stdout.split('\n').filter((line) => `${line} `.startsWith(`  tollgate ${name} `)).length, 1, `one entry for ${name}`)
    }
  }
})

t.test('--help wraps its lines to the terminal\'s width, 80 columns when it is not a terminal', async (t) => {
  const { stdout } = await cli(['--help'], undefined)
  const lines = stdout.split('\n')
  t.ok(lines.every((line) => line.length <= 80 || !line.trim().includes(' ')), `no line past 80 columns: ${Math.max(...lines.map((line) => line.length))}`)
  const { renderHelp } = await import('../../cli/help.js')
  const { commands } = await import('../../cli/main.js')
  for (const columns of [60, 120, 300]) {
    const text = renderHelp(commands, columns)
    t.ok(text.split('\n').every((line) => line.length <= columns), `within ${columns} columns`)
    for (const command of commands) t.match(text, `  tollgate ${command.name}`)
  }
  t.ok(renderHelp(commands, 300).split('\n').some((line) => line.length > 120), 'a wide terminal gets the long lines')
})

t.test('--help after a command shows that command alone; after a group, the group', async (t) => {
  const single = await cli(['user', 'add', '--help'], undefined)
  t.equal(single.code, 0)
  t.match(single.stdout, /^Usage: tollgate user add <username> \[--roles a,b\]\n/)

  const group = await cli(['user', '--help'], undefined)
  t.equal(group.code, 0)
  t.match(group.stdout, 'tollgate user disable <username>')
  t.notMatch(group.stdout, 'tollgate secret')
  t.notMatch(group.stdout, 'tollgate client')

  const clients = await cli(['client', '--help'], undefined)
  t.equal(clients.code, 0)
  t.equal(clients.stdout.split('\n').filter((line) => line.startsWith('  tollgate client ')).length, 7)
})

t.test('a command line that does not parse exits 2 with one line naming the problem', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [[], /no command given/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['--verbose'], /unknown option "--verbose"/],
    [['user'], /user needs a command: add, list, roles, disable, enable/],
    [['user', 'remove', 'alice'], /unknown command "user remove"/],
    [['user', 'add'], /user add: missing <username>/],
    [['user', 'roles', 'alice'], /user roles: missing <roles>/],
    [['user', 'disable'], /user disable: missing <username>/],
    [['user', 'add', 'alice', 'bob'], /user add: unexpected argument "bob"/],
    [['user', 'add', 'alice', '--admin'], /user add: unknown option '--admin'/],
    [['user', 'add', 'alice', '--roles'], /user add: option '--roles <value>' argument missing/],
    [['secret', 'now'], /secret: unexpected argument "now"/],
    [['client'], /client needs a command: add, list, update, disable, enable, rotate-secret, set-key/],
    [['client', 'set-key', 'billing'], /client set-key: missing <public_key_file>/],
    [['token'], /token needs a command: issue/],
    [['token', 'issue', '--user'], /token issue: option '--user <value>' argument missing/],
    [['client', 'remove', 'billing'], /unknown command "client remove"/],
    [['client', 'add'], /client add: missing <client_id>/],
    [['client', 'add', 'billing', '--scopes'], /client add: option '--scopes <value>' argument missing/],
    [['client', 'rotate-secret'], /client rotate-secret: missing <client_id>/],
    [['client', 'list', 'all'], /client list: unexpected argument "all"/],
    [['keys'], /keys needs a command: generate/],
    [['keys', 'generate', '--alg', 'ES256', '--force'], /keys generate: unknown option '--force'/]
  ]
  for (const [argv, reason] of cases) {
    const { code, stdout, stderr } = await cli(argv, fileEnv(t.testdir()))
    t.equal(code, 2, `exit code of: tollgate ${argv.join(' ')}`)
    t.equal(stdout, '')
    t.ok(isOneErrorLine(stderr), `one line: ${JSON.stringify(stderr)}`)
    t.match(stderr, reason)
    t.match(stderr, /\(see `tollgate ([\w -]+ )?--help`\)\n$/)
  }
})

t.test('secret prints a fresh 256-bit base64url secret', async (t) => {
  const first = await cli(['secret'], undefined)
  const second = await cli(['secret'], undefined)
  t.equal(first.code, 0)
  t.match(first.stdout, /^[A-Za-z0-9_-]{43}\n$/)
  t.equal(Buffer.from(first.stdout.trim(), 'base64url').length, 32)
  t.not(first.stdout, second.stdout)
})

t.test('migrate brings a new store to the latest schema and says so', async (t) => {
  const env = fileEnv(t.testdir())
  const { code, stdout, stderr } = await cli(['migrate'], env)
  t.equal(code, 0, stderr)
  t.equal(stdout, 'The database schema is up to date.\n')
  t.equal((await cli(['migrate'], env)).code, 0, 'and again, with nothing left to do')
  t.equal((await cli(['user', 'list'], env)).code, 0, 'the store is usable')
})

t.test('a configuration error is one line and exit code 1', async (t) => {
  const badUrl = await cli(['user', 'list'], { ...fileEnv(t.testdir()), DATABASE_URL: 'mysql://localhost/tollgate' })
  t.equal(badUrl.code, 1)
  t.ok(isOneErrorLine(badUrl.stderr), badUrl.stderr)
  t.match(badUrl.stderr, /^tollgate: cannot start: .*DATABASE_URL/)

  const shortSecret = await cli(['migrate'], { ...fileEnv(t.testdir()), JWT_SECRET: 'too-short' })
  t.equal(shortSecret.code, 1)
  t.ok(isOneErrorLine(shortSecret.stderr), shortSecret.stderr)
  t.match(shortSecret.stderr, 'JWT_SECRET')
  t.notMatch(shortSecret.stderr, 'too-short', 'the secret itself is never shown')
})

t.test('a store that cannot be reached is one line and exit code 1', async (t) => {
  for (const url of ['postgres://127.0.0.1:1/tollgate', 'postgres://localhost:1/tollgate']) {
    const { code, stderr } = await cli(['user', 'list'], { ...fileEnv(t.testdir()), DATABASE_URL: url })
    t.equal(code, 1, url)
    t.ok(isOneErrorLine(stderr), stderr)
    t.match(stderr, /^tollgate: cannot start: .*ECONNREFUSED/)
  }
})

t.test('without an explicit environment the CLI reads the process environment and ./.env, like the server', async (t) => {
  const dir = t.testdir()
  writeFileSync(join(dir, '.env'), `DATABASE_URL=sqlite:${join(dir, 'from-dotenv.db')}\n`)
  const saved = { cwd: process.cwd(), JWT_SECRET: process.env.JWT_SECRET, DATABASE_URL: process.env.DATABASE_URL, NODE_ENV: process.env.NODE_ENV }
  t.teardown(() => {
    process.chdir(saved.cwd)
    for (const name of ['JWT_SECRET', 'DATABASE_URL', 'NODE_ENV'] as const) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
  })
  process.chdir(dir)
  delete process.env.JWT_SECRET
  delete process.env.DATABASE_URL
  process.env.NODE_ENV = 'development'

  const { code, stdout, stderr } = await cli(['migrate'], undefined)
  t.equal(code, 0, stderr)
  t.equal(stdout, 'The database schema is up to date.\n')
  t.match(stderr, /^tollgate: No JWT_SECRET was set: generated a random 256-bit secret/, 'says a secret was written to .env')
  t.notMatch(stderr, /JWT_SECRET=/)
  t.ok(existsSync(join(dir, 'from-dotenv.db')), 'DATABASE_URL came from .env')
})
