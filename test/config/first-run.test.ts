import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { bearer } from '../helper.js'
import { spawnTollgate } from '../support/processes.js'

// Every case starts a real server process: on a loaded machine they can outlast .taprc's per-file limit.
t.setTimeout(300_000)

async function loginAt (url: string, username: string, password: string) {
  const response = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password })
  })
  return { status: response.status, body: await response.json() as { access_token?: string } }
}

async function me (url: string, token: string) {
  const response = await fetch(`${url}/users/me`, { headers: bearer(token) })
  return { status: response.status, body: await response.json() as { username?: string, roles?: string[] } }
}

function secretIn (cwd: string): string {
  const match = /^JWT_SECRET=(.+)$/m.exec(readFileSync(join(cwd, '.env'), 'utf8'))
  if (match?.[1] === undefined) throw new Error('.env holds no JWT_SECRET')
  return match[1]
}

for (const nodeEnv of [undefined, 'development']) {
  t.test(`first run with NODE_ENV ${nodeEnv ?? 'unset'}: a secret in .env, an admin with a printed password; the second run reuses both`, async (t) => {
    const cwd = t.testdir({})
    const env = { PORT: '0', ...(nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv }) }

    const first = spawnTollgate(t, { cwd, env })
    const url = await first.listening()
    const secret = secretIn(cwd)
    t.equal(statSync(join(cwd, '.env')).mode & 0o777, 0o600, '.env is readable by its owner only')
    t.ok(Buffer.from(secret, 'base64url').length >= 32, 'the secret has at least 256 bits')
    t.ok(Buffer.byteLength(secret) >= 32)

    const printed = /First admin: admin \/ (\S+)/.exec(first.output().stdout)
    if (printed?.[1] === undefined) throw new Error(`no first-admin line in:\n${first.output().stdout}`)
    const password = printed[1]
    const login = await loginAt(url, 'admin', password)
    t.equal(login.status, 200, 'the printed password logs in')
    const token = login.body.access_token ?? ''
    t.match((await me(url, token)).body, { username: 'admin', roles: ['admin'] }, 'as an admin')
    await first.stop()
    const firstOutput = first.output()
    t.notMatch(firstOutput.stdout + firstOutput.stderr, secret, 'the secret is never printed')
    t.match(firstOutput.stdout, /generated a random 256-bit secret/, 'the first run says it wrote a secret')

    const envFile = readFileSync(join(cwd, '.env'), 'utf8')
    const second = spawnTollgate(t, { cwd, env })
    const url2 = await second.listening()
    t.equal(readFileSync(join(cwd, '.env'), 'utf8'), envFile, 'the second run leaves .env as it was')
    t.equal((await me(url2, token)).status, 200, 'a token of the first run is still valid: same secret')
    t.equal((await loginAt(url2, 'admin', password)).status, 200, 'the same admin logs in')
    await second.stop()
    const { stdout, stderr } = second.output()
    t.notMatch(stdout, /First admin/, 'no second admin')
    t.notMatch(stdout + stderr, /generated a random 256-bit secret/)
    t.notMatch(stdout + stderr, secret)
  })
}

t.test('with TOLLGATE_ADMIN_USERNAME and TOLLGATE_ADMIN_PASSWORD the first admin is that one, and nothing is printed', async (t) => {
  const cwd = t.testdir({})
  const password = 'configured-admin-password-7f3e'
  const server = spawnTollgate(t, { cwd, env: { PORT: '0', TOLLGATE_ADMIN_USERNAME: 'Root', TOLLGATE_ADMIN_PASSWORD: password } })
  const url = await server.listening()

  const login = await loginAt(url, 'root', password)
  t.equal(login.status, 200, 'the configured admin logs in (any case)')
  t.match((await me(url, login.body.access_token ?? '')).body, { username: 'Root', roles: ['admin'] })
  t.equal((await loginAt(url, 'admin', password)).status, 401, 'no default admin was made')
  await server.stop()
  const { stdout, stderr } = server.output()
  t.notMatch(stdout, /First admin:/, 'no password line')
  t.match(stdout, /"event":"admin.created","username":"Root"/, 'the creation is logged by name')
  t.notMatch(stdout + stderr, password, 'the configured password is never printed')
})

t.test('an existing .env is kept and the secret is appended on a line of its own', async (t) => {
  const cwd = t.testdir({ '.env': 'JWT_ISSUER=tollgate-first-run' })
  const server = spawnTollgate(t, { cwd, env: { PORT: '0' } })
  const url = await server.listening()
  t.match(readFileSync(join(cwd, '.env'), 'utf8'), /^JWT_ISSUER=tollgate-first-run\nJWT_SECRET=[\w-]{43}\n$/)
  t.equal(statSync(join(cwd, '.env')).mode & 0o777, 0o600)
  const login = await loginAt(url, 'admin', /First admin: admin \/ (\S+)/.exec(server.output().stdout)?.[1] ?? '')
  const [, payload = ''] = (login.body.access_token ?? '').split('.')
  t.equal(JSON.parse(Buffer.from(payload, 'base64url').toString()).iss, 'tollgate-first-run', 'the variables already in .env are read')
})

t.test('a TOLLGATE_ADMIN_USERNAME that cannot be stored stops the first run before it listens, naming the variable', async (t) => {
  const server = spawnTollgate(t, { cwd: t.testdir({}), env: { PORT: '0', TOLLGATE_ADMIN_USERNAME: 'x'.repeat(65), TOLLGATE_ADMIN_PASSWORD: 'long-enough-password' } })
  t.not(await server.exited(), 0)
  const { stdout, stderr } = server.output()
  t.match(stderr, /TOLLGATE_ADMIN_USERNAME/)
  t.notMatch(stdout + stderr, /Server listening|long-enough-password|\n\s+at /)
})

t.test('a TOLLGATE_ADMIN_PASSWORD the password policy refuses stops the first run, naming the variable and why', async (t) => {
  const server = spawnTollgate(t, { cwd: t.testdir({}), env: { PORT: '0', TOLLGATE_ADMIN_PASSWORD: 'Password123' } })
  t.not(await server.exited(), 0)
  const { stdout, stderr } = server.output()
  t.match(stderr, /^tollgate: cannot create the first admin: TOLLGATE_ADMIN_PASSWORD is refused: the password is one of the most common passwords/)
  t.notMatch(stdout + stderr, /Server listening|Password123|\n\s+at /)
})
