import t from 'tap'
import { parseConfig } from '../../../src/config/parse-config.js'

const SECRET = 'x'.repeat(32)

t.test('PUBLIC_URL defaults to http://HOST:PORT and the issuer to PUBLIC_URL', async (t) => {
  t.match(parseConfig({ JWT_SECRET: SECRET }), { PUBLIC_URL: 'http://127.0.0.1:3000', JWT_ISSUER: 'http://127.0.0.1:3000' })
  t.match(parseConfig({ JWT_SECRET: SECRET, HOST: '::1', PORT: '8080' }), { PUBLIC_URL: 'http://[::1]:8080' })
  t.match(parseConfig({ JWT_SECRET: SECRET, PUBLIC_URL: 'https://auth.example.com/' }), { PUBLIC_URL: 'https://auth.example.com', JWT_ISSUER: 'https://auth.example.com' }, 'without a trailing slash')
  t.match(parseConfig({ JWT_SECRET: SECRET, PUBLIC_URL: 'https://auth.example.com', JWT_ISSUER: 'https://issuer.example.com' }), { JWT_ISSUER: 'https://issuer.example.com' })
})
