import t from 'tap'
import type { Config } from '../../../src/config/schema.js'
import { checkConfig } from '../../../src/config/validate.js'
import { ConfigError } from '@tollgate/auth/errors'

const BASE: Config = {
  NODE_ENV: 'production',
  PORT: 3000,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  JWT_ALGORITHM: 'HS256',
  PUBLIC_URL: 'https://auth.example.com',
  JWT_ISSUER: 'https://auth.example.com',
  JWT_AUDIENCE: 'tollgate-api',
  ACCESS_TOKEN_TTL: 900,
  REFRESH_TOKEN_TTL: 1_209_600,
  DATABASE_URL: 'sqlite::memory:'
} as Config

t.test('an HMAC algorithm needs a secret of at least 32 bytes', async (t) => {
  t.throws(() => checkConfig(BASE), { name: 'ConfigError', code: 'ERR_CONFIG', variable: 'JWT_SECRET', message: /^JWT_SECRET is required/ }, 'missing')
  t.throws(() => checkConfig(BASE), ConfigError)
  const short = 's'.repeat(31)
  t.throws(() => checkConfig({ ...BASE, JWT_SECRET: short }), { name: 'ConfigError', code: 'ERR_CONFIG', variable: 'JWT_SECRET', message: /^JWT_SECRET must be at least 32 bytes/ })
  try {
    checkConfig({ ...BASE, JWT_SECRET: short })
  } catch (error) {
    t.notMatch((error as Error).message, short, 'the message never holds the value')
  }
  t.doesNotThrow(() => checkConfig({ ...BASE, JWT_SECRET: 's'.repeat(32) }))
})

t.test('an asymmetric algorithm needs a private key file, not a secret', async (t) => {
  for (const algorithm of ['RS256', 'ES256', 'EdDSA'] as const) {
    t.throws(() => checkConfig({ ...BASE, JWT_ALGORITHM: algorithm }), { name: 'ConfigError', code: 'ERR_CONFIG', variable: 'JWT_PRIVATE_KEY_FILE' }, algorithm)
    t.doesNotThrow(() => checkConfig({ ...BASE, JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY_FILE: '/keys/private.pem' }))
  }
})

t.test('retired and next keys are refused with an HMAC secret, which has no key to retire or publish', async (t) => {
  for (const variable of ['JWT_RETIRED_KEY_FILES', 'JWT_NEXT_KEY_FILE']) {
    t.throws(() => checkConfig({ ...BASE, JWT_SECRET: 's'.repeat(32), [variable]: '/keys/old.pem' }),
      { name: 'ConfigError', code: 'ERR_CONFIG', variable, message: /only to RS256, ES256 and EdDSA/ })
  }
  t.doesNotThrow(() => checkConfig({ ...BASE, JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY_FILE: '/keys/new.pem', JWT_RETIRED_KEY_FILES: '/keys/old.pem', JWT_NEXT_KEY_FILE: '/keys/next.pem' }))
})

t.test('PUBLIC_URL is an absolute http(s) URL; in production so is the issuer (RFC 8414 §2)', async (t) => {
  const secret = 'x'.repeat(32)
  for (const url of ['auth.example.com', 'ftp://auth.example.com', 'https://auth.example.com?a=b', 'https://auth.example.com#top', 'https://user:pw@auth.example.com']) {
    t.throws(() => checkConfig({ ...BASE, JWT_SECRET: secret, PUBLIC_URL: url }), { code: 'ERR_CONFIG', variable: 'PUBLIC_URL' }, url)
    t.throws(() => checkConfig({ ...BASE, JWT_SECRET: secret, JWT_ISSUER: url }), { code: 'ERR_CONFIG', variable: 'JWT_ISSUER' }, url)
  }
  t.throws(() => checkConfig({ ...BASE, JWT_SECRET: secret, JWT_ISSUER: 'tollgate' }), { variable: 'JWT_ISSUER', message: /RFC 8414/ })
  t.doesNotThrow(() => checkConfig({ ...BASE, NODE_ENV: 'development', JWT_SECRET: secret, JWT_ISSUER: 'tollgate' }), 'outside production a name still works')
  t.doesNotThrow(() => checkConfig({ ...BASE, JWT_SECRET: secret, PUBLIC_URL: 'http://127.0.0.1:3000/auth', JWT_ISSUER: 'http://127.0.0.1:3000/auth' }), 'a path is fine')
})
