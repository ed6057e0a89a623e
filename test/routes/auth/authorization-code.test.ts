import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { bearer, build, createUser, PASSWORD, type TestUser } from '../../helper.js'
import { pkce, redirectParameters, signIn } from '../../support/sign-in.js'
import { stores } from '../../support/stores.js'

const REDIRECT = 'http://127.0.0.1:8080/callback'

interface Setup { app: FastifyInstance, user: TestUser }

async function setup (t: Test, store?: typeof stores[number]): Promise<Setup> {
  const { env, options } = store === undefined ? { env: {}, options: {} } : await store.setup(t)
  const app = await build(t, env, options)
  const user = await createUser(app, 'alice')
  await app.clients.administration.add('cli-app', { public: true, redirectUris: [REDIRECT] })
  return { app, user }
}

/** Signs alice in for `clientId`; returns the code and the verifier of its challenge. */
async function codeFor (app: FastifyInstance, clientId = 'cli-app', redirectUri = REDIRECT): Promise<{ code: string, verifier: string }> {
  const { verifier, challenge } = pkce()
  const response = await signIn(app, { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state: 's', code_challenge: challenge, code_challenge_method: 'S256' }, 'alice', PASSWORD)
  return { code: redirectParameters(response).get('code') ?? '', verifier }
}

const exchange = async (app: FastifyInstance, fields: Record<string, string>, headers: Record<string, string> = {}) => app.inject({
  method: 'POST',
  url: '/auth/token',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  payload: new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: REDIRECT, client_id: 'cli-app', ...fields }).toString()
})

t.test('a public client exchanges its code with client_id and the verifier for a session its user sees', async (t) => {
  const { app } = await setup(t)
  const { code, verifier } = await codeFor(app)
  const response = await exchange(app, { code, code_verifier: verifier }, { 'user-agent': 'cli-app/1.0' })
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.headers['cache-control'], 'no-store')
  const tokens = response.json()
  t.match(tokens, { token_type: 'Bearer', access_token: String, refresh_token: String, expires_in: Number })
  const me = await app.inject({ url: '/users/me', headers: bearer(tokens.access_token) })
  t.equal(me.json().username, 'alice')
  const sessions = await app.inject({ url: '/users/me/sessions', headers: bearer(tokens.access_token) })
  t.match(sessions.json(), [{ current: true, user_agent: 'cli-app/1.0' }])
  const refreshed = await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token } })
  t.equal(refreshed.statusCode, 200, 'its refresh token works')
})

for (const store of stores) {
  t.test(`${store.name}: a code used twice is invalid_grant, and the session its first use started ends`, async (t) => {
    await usedTwice(t, (await setup(t, store)).app)
  })
}

async function usedTwice (t: Test, app: FastifyInstance): Promise<void> {
  const { code, verifier } = await codeFor(app)
  const first = (await exchange(app, { code, code_verifier: verifier })).json()
  const second = await exchange(app, { code, code_verifier: verifier })
  t.equal(second.statusCode, 400)
  t.match(second.json(), { error: 'invalid_grant', code: 'ERR_INVALID_GRANT' })
  t.equal((await app.inject({ url: '/users/me', headers: bearer(first.access_token) })).statusCode, 401, 'the access token it gave is refused')
  const refresh = await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'refresh_token', refresh_token: first.refresh_token } })
  t.equal(refresh.statusCode, 400, 'and its refresh token')
}

t.test('every other refusal: verifier, client, redirect URI, expiry; none spends the code', async (t) => {
  const { app } = await setup(t)
  await app.clients.administration.add('other-app', { public: true, redirectUris: [REDIRECT] })
  const { code, verifier } = await codeFor(app)
  const wrongVerifier = pkce().verifier
  const cases: Array<[string, Record<string, string>]> = [
    ['a wrong verifier', { code, code_verifier: wrongVerifier }],
    ['a verifier one character off', { code, code_verifier: `${verifier.slice(0, -1)}${verifier.endsWith('A') ? 'B' : 'A'}` }],
    ['a malformed verifier', { code, code_verifier: 'short' }],
    ['the challenge itself as the verifier (plain)', { code, code_verifier: pkce().challenge }],
    ['another client', { code, code_verifier: verifier, client_id: 'other-app' }],
    ['a redirect URI one character off', { code, code_verifier: verifier, redirect_uri: `${REDIRECT}x` }],
    ['an unknown code', { code: `${code.slice(0, -1)}x`, code_verifier: verifier }],
    ['another resource', { code, code_verifier: verifier, resource: 'https://elsewhere.example' }]
  ]
  for (const [name, fields] of cases) {
    const response = await exchange(app, fields)
    t.equal(response.statusCode, 400, name)
    t.match(response.json(), { error: 'invalid_grant' }, name)
  }
  const missing = await exchange(app, { code })
  t.match(missing.json(), { error: 'invalid_request' }, 'a missing verifier')
  const noClient = await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier } })
  t.equal(noClient.statusCode, 401, 'no client at all is invalid_client')
  t.equal((await exchange(app, { code, code_verifier: verifier })).statusCode, 200, 'the owner can still exchange it')

  const late = await codeFor(app)
  await app.db.updateTable('authorization_codes').set({ expires_at: Date.now() - 1 }).where('used_at', 'is', null).execute()
  t.match((await exchange(app, { code: late.code, code_verifier: late.verifier })).json(), { error: 'invalid_grant' }, 'an expired code')
})

t.test('a confidential client authenticates to exchange its code; a public one cannot use client_credentials', async (t) => {
  const { app } = await setup(t)
  const { secret = '' } = await app.clients.administration.add('server-app', { redirectUris: [REDIRECT] })
  const { code, verifier } = await codeFor(app, 'server-app')
  const unauthenticated = await exchange(app, { code, code_verifier: verifier, client_id: 'server-app' })
  t.equal(unauthenticated.statusCode, 401, 'its client_id alone is not enough')
  const basic = `Basic ${Buffer.from(`server-app:${secret}`).toString('base64')}`
  const payload = new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: REDIRECT, code, code_verifier: verifier }).toString()
  const response = await app.inject({ method: 'POST', url: '/auth/token', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, payload })
  t.equal(response.statusCode, 200, response.body)

  const credentials = await app.inject({ method: 'POST', url: '/auth/token', payload: { grant_type: 'client_credentials', client_id: 'cli-app', client_secret: '' } })
  t.equal(credentials.statusCode, 401, 'a public client has no secret to prove')
})

t.test('a user disabled between sign-in and exchange gets no tokens', async (t) => {
  const { app, user } = await setup(t)
  const { code, verifier } = await codeFor(app)
  await app.accounts.setDisabled(user.id, true)
  t.match((await exchange(app, { code, code_verifier: verifier })).json(), { error: 'invalid_grant' })
})
