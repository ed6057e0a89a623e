import t, { type Test } from 'tap'
import { spawnTollgate } from '../support/processes.js'

// Every case starts a real server process: on a loaded machine they can outlast .taprc's per-file limit.
t.setTimeout(300_000)

/** Distinctive, so a leak into any output is found by a plain search. */
const SECRET = 'production-secret-value-d41d8cd98f00b204e980'

function productionEnv (t: Test, overrides: Record<string, string | undefined> = {}): { cwd: string, env: Record<string, string | undefined> } {
  const cwd = t.testdir({})
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'production',
    PORT: '0',
    JWT_SECRET: SECRET,
    DATABASE_URL: `sqlite:${cwd}/tollgate.db`,
    ...overrides
  }
  // An undefined variable stays unset, even those spawnTollgate would default.
  return { cwd, env }
}

async function refusesToStart (t: Test, overrides: Record<string, string | undefined>, variable: string, secrets: string[] = []) {
  const { cwd, env } = productionEnv(t, overrides)
  const server = spawnTollgate(t, { cwd, env })
  const code = await server.exited()
  const { stdout, stderr } = server.output()
  t.not(code, 0, 'exits with a non-zero code')
  t.notMatch(stdout + stderr, /Server listening/, 'never listens')
  t.match(stderr, variable, `the message names ${variable}`)
  for (const secret of [env.JWT_SECRET ?? SECRET, ...secrets]) t.notMatch(stdout + stderr, secret, 'secrets are never printed')
  t.notMatch(stdout + stderr, /\n\s+at /, 'no stack trace')
}

t.test('production refuses to start without JWT_SECRET', (t) => refusesToStart(t, { JWT_SECRET: undefined }, 'JWT_SECRET'))

t.test('production refuses a JWT_SECRET of 31 bytes', (t) => refusesToStart(t, { JWT_SECRET: SECRET.slice(0, 31) }, 'JWT_SECRET'))

t.test('production refuses an issuer that is not a URL', (t) => refusesToStart(t, { JWT_ISSUER: 'tollgate' }, 'JWT_ISSUER'))

t.test('production refuses to guess its issuer without PUBLIC_URL', (t) =>
  refusesToStart(t, { PUBLIC_URL: undefined, HOST: '0.0.0.0' }, 'PUBLIC_URL is required in production'))

t.test('production refuses a PUBLIC_URL naming an unspecified address', async (t) => {
  for (const url of ['http://0.0.0.0:3000', 'http://[::]:3000']) {
    await t.test(url, (t) => refusesToStart(t, { PUBLIC_URL: url }, 'PUBLIC_URL names'))
  }
})

t.test('production refuses a PUBLIC_URL with a query', (t) => refusesToStart(t, { PUBLIC_URL: 'https://auth.example.com/?x=1' }, 'PUBLIC_URL'))

t.test('production refuses ACCESS_TOKEN_TTL=59', (t) => refusesToStart(t, { ACCESS_TOKEN_TTL: '59' }, 'ACCESS_TOKEN_TTL'))

t.test('production refuses ACCESS_TOKEN_TTL=3601', (t) => refusesToStart(t, { ACCESS_TOKEN_TTL: '3601' }, 'ACCESS_TOKEN_TTL'))

t.test('production refuses a PORT that is not a port', async (t) => {
  for (const port of ['http', '70000', '80.5']) {
    await t.test(`PORT=${port}`, (t) => refusesToStart(t, { PORT: port }, 'PORT'))
  }
})

t.test('production refuses a METRICS_PORT that is not a port, or is the API port', async (t) => {
  for (const port of ['prometheus', '65536']) {
    await t.test(`METRICS_PORT=${port}`, (t) => refusesToStart(t, { METRICS_PORT: port }, 'METRICS_PORT'))
  }
  await t.test('METRICS_PORT=PORT', (t) => refusesToStart(t, { PORT: '9100', METRICS_PORT: '9100' }, 'METRICS_PORT'))
})

t.test('production refuses a DATABASE_URL it cannot use', async (t) => {
  for (const url of ['mysql://localhost/tollgate', '']) {
    await t.test(`DATABASE_URL=${JSON.stringify(url)}`, (t) => refusesToStart(t, { DATABASE_URL: url }, 'DATABASE_URL'))
  }
})

t.test('production refuses a store it cannot reach, naming DATABASE_URL and never printing its password', async (t) => {
  await t.test('PostgreSQL that does not answer', (t) =>
    refusesToStart(t, { DATABASE_URL: 'postgres://tollgate:url-password-5e8f@127.0.0.1:1/tollgate' }, 'DATABASE_URL', ['url-password-5e8f']))
  await t.test('a SQLite path that is a directory', (t) => refusesToStart(t, { DATABASE_URL: `sqlite:${t.testdir({})}` }, 'DATABASE_URL'))
})

t.test('production refuses an invalid LOG_LEVEL, naming it', (t) =>
  refusesToStart(t, { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'))

t.test('production refuses an invalid REQUEST_LOG, naming it and its choices', (t) =>
  refusesToStart(t, { REQUEST_LOG: 'everything' }, 'REQUEST_LOG must be one of errors, all'))

t.test('a PORT already in use stops the process with a message naming PORT', async (t) => {
  const { cwd, env } = productionEnv(t)
  const first = spawnTollgate(t, { cwd, env })
  const port = new URL(await first.listening()).port
  const second = spawnTollgate(t, { cwd: t.testdir({}), env: { ...productionEnv(t).env, PORT: port } })
  t.not(await second.exited(), 0)
  t.match(second.output().stderr, new RegExp(`PORT ${port}.*EADDRINUSE`))
  t.notMatch(second.output().stderr, /\n\s+at /, 'no stack trace')
})

t.test('a valid production configuration starts, listens and never prints the secret', async (t) => {
  const { cwd, env } = productionEnv(t)
  const server = spawnTollgate(t, { cwd, env })
  const url = await server.listening()
  const health = await fetch(`${url}/health`)
  t.equal(health.status, 200)
  await server.stop()
  const { stdout, stderr } = server.output()
  t.notMatch(stdout + stderr, SECRET)
  t.notMatch(stdout, /First admin/, 'production creates no admin by itself')
  t.notOk(await import('node:fs').then((fs) => fs.existsSync(`${cwd}/.env`)), 'production writes no .env')
})
