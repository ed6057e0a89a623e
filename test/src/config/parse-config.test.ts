import t from 'tap'
import { parseConfig } from '../../../src/config/parse-config.js'

const SECRET = 'x'.repeat(32)

t.test('PUBLIC_URL defaults to http://HOST:PORT and the issuer to PUBLIC_URL', async (t) => {
  t.match(parseConfig({ JWT_SECRET: SECRET }), { PUBLIC_URL: 'http://127.0.0.1:3000', JWT_ISSUER: 'http://127.0.0.1:3000' })
  t.match(parseConfig({ JWT_SECRET: SECRET, HOST: '::1', PORT: '8080' }), { PUBLIC_URL: 'http://[::1]:8080' })
  t.match(parseConfig({ JWT_SECRET: SECRET, PUBLIC_URL: 'https://auth.example.com/' }), { PUBLIC_URL: 'https://auth.example.com', JWT_ISSUER: 'https://auth.example.com' }, 'without a trailing slash')
  t.match(parseConfig({ JWT_SECRET: SECRET, PUBLIC_URL: 'https://auth.example.com', JWT_ISSUER: 'https://issuer.example.com' }), { JWT_ISSUER: 'https://issuer.example.com' })
})

t.test('production never guesses the issuer: PUBLIC_URL is required and must name a reachable host', async (t) => {
  const production = { NODE_ENV: 'production', JWT_SECRET: SECRET, HOST: '0.0.0.0' }
  t.throws(() => parseConfig(production), { name: 'ConfigError', variable: 'PUBLIC_URL', message: /^PUBLIC_URL is required in production/ })
  t.throws(() => parseConfig({ ...production, JWT_ISSUER: 'https://auth.example.com' }), { name: 'ConfigError', variable: 'PUBLIC_URL' },
    'an issuer alone leaves the endpoint URLs of the metadata guessed')
  for (const url of ['http://0.0.0.0:3000', 'http://[::]:3000', 'https://0.0.0.0', 'http://[0:0:0:0:0:0:0:0]/']) {
    t.throws(() => parseConfig({ ...production, PUBLIC_URL: url }), { variable: 'PUBLIC_URL', message: /no client can reach/ }, url)
  }
  t.throws(() => parseConfig({ ...production, PUBLIC_URL: 'https://auth.example.com', JWT_ISSUER: 'http://0.0.0.0:3000' }), { name: 'ConfigError', variable: 'JWT_ISSUER' })
  t.match(parseConfig({ ...production, PUBLIC_URL: 'https://auth.example.com' }), { JWT_ISSUER: 'https://auth.example.com' })
  t.match(parseConfig({ JWT_SECRET: SECRET, HOST: '0.0.0.0' }), { JWT_ISSUER: 'http://0.0.0.0:3000' }, 'outside production the default stays')
})

t.test('a value outside a variable\'s choices is refused with the choices, never the value', async (t) => {
  t.throws(() => parseConfig({ JWT_SECRET: SECRET, LOG_LEVEL: 'loud' }),
    { name: 'ConfigError', variable: 'LOG_LEVEL', message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent' })
  t.throws(() => parseConfig({ JWT_SECRET: SECRET, JWT_ALGORITHM: 'none' }),
    { name: 'ConfigError', variable: 'JWT_ALGORITHM', message: 'JWT_ALGORITHM must be one of HS256, RS256, ES256, EdDSA' })
  t.throws(() => parseConfig({ JWT_SECRET: SECRET, REQUEST_LOG: 'everything' }),
    { name: 'ConfigError', variable: 'REQUEST_LOG', message: 'REQUEST_LOG must be one of errors, all' })
  t.throws(() => parseConfig({ JWT_SECRET: SECRET, PORT: 'http' }), { message: /PORT must be integer/ }, 'other refusals keep their own message')
  t.throws(() => parseConfig({ JWT_SECRET: SECRET, SLOW_REQUEST_MS: 'soon' }), { message: /SLOW_REQUEST_MS must be integer/ })
})

t.test('requests are logged when they fail with a 5xx or take over a second, unless told otherwise', async (t) => {
  t.match(parseConfig({ JWT_SECRET: SECRET }), { REQUEST_LOG: 'errors', SLOW_REQUEST_MS: 1000 })
  t.match(parseConfig({ JWT_SECRET: SECRET, REQUEST_LOG: 'all', SLOW_REQUEST_MS: '250' }), { REQUEST_LOG: 'all', SLOW_REQUEST_MS: 250 })
})
