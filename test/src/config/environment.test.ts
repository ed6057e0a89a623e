import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { generateSecret, loadEnvironment } from '../../../src/config/environment.js'

const SECRET = 'a-secret-from-the-env-file-of-32-bytes!!'
const envFile = (dir: string) => readFileSync(join(dir, '.env'), 'utf8')

t.test('a first run outside production writes a fresh secret to .env with mode 0600, and says so', async (t) => {
  for (const nodeEnv of [undefined, 'development', 'test']) {
    const dir = t.testdir({})
    const { env, notices } = loadEnvironment(dir, nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv })
    const secret = env.JWT_SECRET ?? ''
    t.equal(Buffer.from(secret, 'base64url').length, 32, `a 256-bit secret (NODE_ENV ${nodeEnv})`)
    t.equal(envFile(dir), `JWT_SECRET=${secret}\n`)
    t.equal(statSync(join(dir, '.env')).mode & 0o777, 0o600)
    t.equal(notices.length, 1)
    t.notMatch(notices[0], secret, 'the notice never holds the secret')
  }
})

t.test('a later run reads the secret back and writes nothing', async (t) => {
  const dir = t.testdir({})
  const first = loadEnvironment(dir, {})
  const written = envFile(dir)
  const second = loadEnvironment(dir, {})
  t.equal(second.env.JWT_SECRET, first.env.JWT_SECRET)
  t.same(second.notices, [])
  t.equal(envFile(dir), written)
})

t.test('real variables win over .env', async (t) => {
  const dir = t.testdir({ '.env': `JWT_SECRET=${SECRET}\nPORT=4000\nHOST=0.0.0.0\n` })
  const { env, notices } = loadEnvironment(dir, { PORT: '5000', JWT_ISSUER: 'from-env' })
  t.match(env, { JWT_SECRET: SECRET, PORT: '5000', HOST: '0.0.0.0', JWT_ISSUER: 'from-env' })
  t.same(notices, [])
})

t.test('an empty real variable does not hide the value in .env', async (t) => {
  const dir = t.testdir({ '.env': `JWT_SECRET=${SECRET}\n` })
  const { env, notices } = loadEnvironment(dir, { JWT_SECRET: '', PORT: '' })
  t.equal(env.JWT_SECRET, SECRET)
  t.equal(env.PORT, '', 'an empty variable with nothing in .env stays empty, and is refused as invalid later')
  t.same(notices, [])
  t.equal(envFile(dir), `JWT_SECRET=${SECRET}\n`, 'no second secret is appended')
})

t.test('an existing .env keeps its content; the secret goes on a line of its own', async (t) => {
  const dir = t.testdir({ '.env': 'PORT=4000' })
  const { env } = loadEnvironment(dir, {})
  t.equal(envFile(dir), `PORT=4000\nJWT_SECRET=${env.JWT_SECRET}\n`)
  t.equal(env.PORT, '4000')
  t.equal(statSync(join(dir, '.env')).mode & 0o777, 0o600)
})

t.test('production never writes a secret', async (t) => {
  const dir = t.testdir({})
  const { env, notices } = loadEnvironment(dir, { NODE_ENV: 'production' })
  t.equal(env.JWT_SECRET, undefined)
  t.same(notices, [])
  t.throws(() => readFileSync(join(dir, '.env')), { code: 'ENOENT' })
})

t.test('an asymmetric algorithm needs no secret, so none is written', async (t) => {
  const dir = t.testdir({})
  const { env } = loadEnvironment(dir, { JWT_ALGORITHM: 'EdDSA' })
  t.equal(env.JWT_SECRET, undefined)
  t.throws(() => readFileSync(join(dir, '.env')), { code: 'ENOENT' })
})

t.test('generated secrets are 256 random bits, base64url', async (t) => {
  const secrets = new Set(Array.from({ length: 20 }, generateSecret))
  t.equal(secrets.size, 20)
  for (const secret of secrets) t.match(secret, /^[\w-]{43}$/)
})
