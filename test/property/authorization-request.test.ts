import fc from 'fast-check'
import t from 'tap'
import { build, createUser, PASSWORD } from '../helper.js'
import { authorizeUrl, hiddenRequest, pkce } from '../support/sign-in.js'

const SEED = 20_261_204
const REDIRECT = 'https://app.example/cb'

/** What any answer of the sign-in pages may be: below 500, and a redirect only to the registered URI. */
function expectSafe (response: { statusCode: number, headers: Record<string, unknown>, body: string }, sent: string): true {
  const what = `${response.statusCode} for ${sent.slice(0, 300)}: ${response.body.slice(0, 200)}`
  if (response.statusCode >= 500) throw new Error(what)
  if (response.body.includes('    at ')) throw new Error(`a stack trace: ${what}`)
  const location = response.headers.location
  if (location !== undefined && !String(location).startsWith(`${REDIRECT}?`)) throw new Error(`redirected elsewhere: ${String(location)} ${what}`)
  return true
}

const NAMES = ['response_type', 'client_id', 'redirect_uri', 'state', 'scope', 'resource', 'code_challenge', 'code_challenge_method', 'x']
const values = fc.oneof(
  fc.constantFrom('code', 'web-app', REDIRECT, 'S256', 'plain', pkce().challenge, 'https://evil.example/cb', `${REDIRECT}/..`, ''),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 })
)

t.test('GET /auth/authorize: any query gets a page or a redirect to the registered URI, never a 5xx', async (t) => {
  const app = await build(t)
  await app.clients.administration.add('web-app', { public: true, redirectUris: [REDIRECT] })
  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...NAMES), values), { maxLength: 10 }), async (pairs) => {
    const query = new URLSearchParams(pairs).toString()
    return expectSafe(await app.inject({ url: `/auth/authorize?${query}` }), query)
  }), { seed: SEED, numRuns: 300 })
  t.pass('300 queries')
})

t.test('POST /auth/authorize: any form gets a page or a redirect to the registered URI, never a 5xx', async (t) => {
  const app = await build(t)
  await createUser(app, 'alice')
  await app.clients.administration.add('web-app', { public: true, redirectUris: [REDIRECT] })
  const page = await app.inject({ url: authorizeUrl({ response_type: 'code', client_id: 'web-app', code_challenge: pkce().challenge, code_challenge_method: 'S256' }) })
  const sealed = hiddenRequest(page.body)
  const fields = fc.array(fc.tuple(
    fc.constantFrom('request', 'username', 'password', '__proto__', 'x'),
    fc.oneof(fc.constantFrom(sealed, `${sealed}x`, sealed.replace('.', ''), 'alice', PASSWORD), fc.string({ maxLength: 60 }))
  ), { maxLength: 6 }).map((pairs) => new URLSearchParams(pairs).toString())
  const bodies = fc.oneof(fields, fc.string({ unit: 'binary', maxLength: 200 }))
  await fc.assert(fc.asyncProperty(bodies, async (payload) => {
    const response = await app.inject({ method: 'POST', url: '/auth/authorize', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload })
    return expectSafe(response, payload)
  }), { seed: SEED, numRuns: 80 })
  t.pass('80 forms')
})
