import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { build, createUser, PASSWORD } from '../../helper.js'
import { TEST_ISSUER } from '../../support/forge.js'
import { authorizeUrl, hiddenRequest, pkce, postSignIn, redirectParameters, signIn } from '../../support/sign-in.js'

const REDIRECT = 'https://app.example/callback'
const LOOPBACK = 'http://127.0.0.1:8080/callback'

async function setup (t: Test): Promise<{ app: FastifyInstance, query: Record<string, string> }> {
  const app = await build(t)
  await createUser(app, 'alice')
  await app.clients.administration.add('web-app', { public: true, redirectUris: [REDIRECT, LOOPBACK] })
  const query = { response_type: 'code', client_id: 'web-app', redirect_uri: REDIRECT, state: 'st-1', code_challenge: pkce().challenge, code_challenge_method: 'S256' }
  return { app, query }
}

t.test('the sign-in page: labelled fields, no script, its own strict policy, never framed or cached', async (t) => {
  const { app, query } = await setup(t)
  const page = await app.inject({ url: authorizeUrl(query) })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /<label for="username">Username<\/label>\s*<input id="username" name="username" type="text" autocomplete="username"/)
  t.match(page.body, /<label for="password">Password<\/label>\s*<input id="password" name="password" type="password" autocomplete="current-password"/)
  t.notMatch(page.body, /<script|<link|https?:\/\/(?!app\.example)/, 'no script and no asset from anywhere')
  const csp = String(page.headers['content-security-policy'])
  t.match(csp, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self' https:\/\/app\.example; frame-ancestors 'none'; base-uri 'none'$/)
  t.equal(page.headers['x-frame-options'], 'DENY', 'a framed page is refused by older browsers too')
  t.equal(page.headers['cache-control'], 'no-store')
  t.equal(page.headers['referrer-policy'], 'no-referrer')
  const docs = (await app.inject({ url: '/docs/json' })).json()
  t.notOk(docs.paths['/auth/authorize'], 'a page, not an API operation')
})

t.test('an unknown client or an unregistered redirect URI gets an error page and is never redirected to', async (t) => {
  const { app, query } = await setup(t)
  const attempts: Array<Record<string, string | undefined>> = [
    { client_id: 'nobody' },
    { client_id: undefined },
    { redirect_uri: 'https://app.example/callbacK' },
    { redirect_uri: 'https://app.example/callback/' },
    { redirect_uri: 'https://app.example/callback?x=1' },
    { redirect_uri: 'https://evil.example/callback' },
    { redirect_uri: '//evil.example/callback' },
    { redirect_uri: 'https://app.example@evil.example/callback' },
    { redirect_uri: 'https://app.example/callback#frag' },
    { redirect_uri: 'https://app.example/x/../callback' },
    { redirect_uri: 'HTTPS://APP.EXAMPLE/callback' },
    { redirect_uri: 'http://localhost:8080/callback' },
    { redirect_uri: 'http://127.0.0.1:8080/callback/../x' },
    // Several registered: the client must say which.
    { redirect_uri: undefined }
  ]
  for (const change of attempts) {
    const attempt = Object.fromEntries(Object.entries({ ...query, ...change }).filter((entry): entry is [string, string] => entry[1] !== undefined))
    const response = await app.inject({ url: authorizeUrl(attempt) })
    t.equal(response.statusCode, 400, JSON.stringify(change))
    t.notOk(response.headers.location, `no redirect for ${JSON.stringify(change)}`)
    t.match(response.body, /Cannot sign in/)
    t.notMatch(response.body, /evil/, 'the page does not echo the address')
  }
})

t.test('a loopback redirect URI may come with any port (RFC 8252 §7.3); one registered alone may be left out', async (t) => {
  const { app, query } = await setup(t)
  const other = await app.inject({ url: authorizeUrl({ ...query, redirect_uri: 'http://127.0.0.1:51234/callback' }) })
  t.equal(other.statusCode, 200)
  await app.clients.administration.add('one-uri', { public: true, redirectUris: [REDIRECT] })
  const omitted = await signIn(app, { response_type: 'code', client_id: 'one-uri', code_challenge: query.code_challenge ?? '', code_challenge_method: 'S256' }, 'alice', PASSWORD)
  t.equal(omitted.statusCode, 303)
  t.match(String(omitted.headers.location), /^https:\/\/app\.example\/callback\?code=/)
})

t.test('every other error goes back to the client with error, state and iss (RFC 9207)', async (t) => {
  const { app, query } = await setup(t)
  const cases: Array<[Record<string, string | undefined>, string]> = [
    [{ code_challenge_method: 'plain' }, 'invalid_request'],
    [{ code_challenge_method: undefined }, 'invalid_request'],
    [{ code_challenge: undefined }, 'invalid_request'],
    [{ code_challenge: 'short' }, 'invalid_request'],
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ response_type: undefined }, 'unsupported_response_type'],
    [{ scope: 'users:read' }, 'invalid_scope'],
    [{ resource: 'https://elsewhere.example' }, 'invalid_target']
  ]
  for (const [change, error] of cases) {
    const attempt = Object.fromEntries(Object.entries({ ...query, ...change }).filter((entry): entry is [string, string] => entry[1] !== undefined))
    const response = await app.inject({ url: authorizeUrl(attempt) })
    t.equal(response.statusCode, 303, JSON.stringify(change))
    const location = new URL(String(response.headers.location))
    t.equal(`${location.origin}${location.pathname}`, REDIRECT)
    t.match(Object.fromEntries(location.searchParams), { error, state: 'st-1', iss: TEST_ISSUER }, JSON.stringify(change))
  }
  await app.clients.administration.disable('web-app')
  const disabled = await app.inject({ url: authorizeUrl(query) })
  t.equal(redirectParameters(disabled).get('error'), 'unauthorized_client')
})

t.test('signing in: the code, the state and the issuer go back to the redirect URI', async (t) => {
  const { app, query } = await setup(t)
  const response = await signIn(app, query, 'alice', PASSWORD)
  t.equal(response.statusCode, 303)
  const parameters = redirectParameters(response)
  t.match(parameters.get('code'), /^[A-Za-z0-9_-]{43}$/, '256 random bits')
  t.equal(parameters.get('state'), 'st-1')
  t.equal(parameters.get('iss'), TEST_ISSUER)
  const stored = await app.db.selectFrom('authorization_codes').selectAll().execute()
  t.equal(stored.length, 1)
  t.not(stored[0]?.code_hash, parameters.get('code'), 'only its hash is kept')
  t.ok(Number(stored[0]?.expires_at) - Date.now() <= 60_000, 'for 60 s at most')
})

t.test('a wrong password, an unknown user and a disabled account get the page again with one message', async (t) => {
  const { app, query } = await setup(t)
  const bob = await createUser(app, 'bob')
  await app.accounts.setDisabled(bob.id, true)
  const page = await app.inject({ url: authorizeUrl(query) })
  const request = hiddenRequest(page.body)
  const bodies: string[] = []
  for (const [username, password] of [['alice', 'wrong password'], ['nobody', PASSWORD], ['bob', PASSWORD]] as const) {
    const response = await postSignIn(app, { request, username, password })
    t.equal(response.statusCode, 400)
    t.notOk(response.headers.location)
    t.match(response.body, /role="alert"[^>]*>Wrong username or password\.</)
    t.match(response.body, new RegExp(`value="${username}"`), 'the username stays filled in')
    bodies.push(response.body.replace(/value="[^"]*"/g, ''))
  }
  t.equal(new Set(bodies).size, 1, 'the same page whatever was wrong')
})

t.test('a forged or altered post is refused and never redirected', async (t) => {
  const { app, query } = await setup(t)
  const page = await app.inject({ url: authorizeUrl(query) })
  const request = hiddenRequest(page.body)
  const [payload = '', mac = ''] = request.split('.')
  const altered = JSON.parse(Buffer.from(payload, 'base64url').toString())
  const forged = Buffer.from(JSON.stringify({ ...altered, redirectUri: 'https://evil.example/cb' })).toString('base64url')
  for (const attempt of [`${forged}.${mac}`, `${payload}.${mac.slice(1)}x`, payload, '', 'a.b.c', `${payload}.${mac}.x`]) {
    const response = await postSignIn(app, { request: attempt, username: 'alice', password: PASSWORD })
    t.equal(response.statusCode, 400, attempt.slice(0, 40))
    t.notOk(response.headers.location)
    t.match(response.body, /no longer valid/)
  }
  const other = await build(t, { JWT_SECRET: 'another-secret-that-is-at-least-32-bytes!' })
  const elsewhere = await postSignIn(other, { request, username: 'alice', password: PASSWORD })
  t.equal(elsewhere.statusCode, 400, 'a request sealed with another key')
})

t.test('the login throttle applies to the sign-in page', async (t) => {
  const app = await build(t, { LOGIN_RATE_LIMIT: '2' })
  await createUser(app, 'alice')
  await app.clients.administration.add('web-app', { public: true, redirectUris: [REDIRECT] })
  const page = await app.inject({ url: authorizeUrl({ response_type: 'code', client_id: 'web-app', code_challenge: pkce().challenge, code_challenge_method: 'S256' }) })
  const request = hiddenRequest(page.body)
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) statuses.push((await postSignIn(app, { request, username: 'alice', password: 'wrong' })).statusCode)
  const throttled = await postSignIn(app, { request, username: 'alice', password: PASSWORD })
  t.same(statuses, [400, 400, 429])
  t.equal(throttled.statusCode, 429, 'even the right password waits')
  t.ok(throttled.headers['retry-after'])
  t.match(throttled.body, /Too many failed login attempts for this username/)
})
