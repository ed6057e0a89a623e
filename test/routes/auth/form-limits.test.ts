import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { FORM_BODY_LIMIT, MAX_FORM_PARAMETERS } from '../../../src/http/form-body.js'
import { build } from '../../helper.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const post = (app: FastifyInstance, url: string, payload: string) => app.inject({ method: 'POST', url, headers: FORM, payload })

t.test('a form of too many parameters is refused with 413 before it is parsed, on every form endpoint', async (t) => {
  const app = await build(t)
  const flood = Array(100_000).fill('a').join('&')
  for (const url of ['/auth/token', '/auth/introspect', '/auth/revoke', '/auth/login']) {
    const response = await post(app, url, flood)
    t.equal(response.statusCode, 413, url)
    t.match(response.json(), { code: 'ERR_BODY_TOO_LARGE', message: new RegExp(`at most ${MAX_FORM_PARAMETERS} parameters`) }, url)
  }
  const justOver = Array.from({ length: MAX_FORM_PARAMETERS + 1 }, (_, i) => `p${i}=1`).join('&')
  t.equal((await post(app, '/auth/token', justOver)).statusCode, 413, 'one over the cap')
  t.equal((await post(app, '/auth/token', `${'x'.repeat(FORM_BODY_LIMIT)}=1`)).statusCode, 413, 'a body over the limit')
})

t.test('the largest legitimate token request fits both limits', async (t) => {
  const app = await build(t)
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'c'.repeat(256),
    client_secret: 'é'.repeat(1024),
    client_assertion_type: 'a'.repeat(256),
    client_assertion: 'j'.repeat(8192),
    username: 'ü'.repeat(64),
    password: '😀'.repeat(512),
    refresh_token: 'r'.repeat(256),
    scope: 's'.repeat(1024)
  })
  for (let i = 0; i < 16; i++) form.append('resource', `https://${i.toString(16)}.example/`.padEnd(2048, '/?:'))
  const payload = form.toString()
  t.ok(payload.length < FORM_BODY_LIMIT, `${payload.length} bytes`)
  const response = await post(app, '/auth/token', payload)
  t.ok([400, 401].includes(response.statusCode), `refused for what it says, not for its size: ${response.body.slice(0, 200)}`)
  t.notMatch(response.json().code, /BODY_TOO_LARGE|VALIDATION/)
})
