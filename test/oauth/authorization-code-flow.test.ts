import * as oauth from 'oauth4webapi'
import t from 'tap'
import { bearer, createUser, PASSWORD } from '../helper.js'
import { startTollgate } from '../service/running-tollgate.js'
import { freePort } from '../support/free-port.js'
import { hiddenRequest } from '../support/sign-in.js'

const insecure = { [oauth.allowInsecureRequests]: true }
const REDIRECT = 'http://127.0.0.1:8765/callback'

/**
 * The whole flow as a client written elsewhere runs it: oauth4webapi discovers the endpoints, makes the
 * PKCE pair and the state, and checks the authorization response (state, RFC 9207 `iss`) and the token
 * response; a plain HTTP client plays the browser, posting the sign-in form.
 */
t.test('oauth4webapi: authorization code with PKCE, state and iss, through the sign-in form', async (t) => {
  const port = await freePort()
  const issuer = new URL(`http://127.0.0.1:${port}`)
  const tollgate = await startTollgate(t, { PUBLIC_URL: issuer.href }, port)
  await createUser(tollgate.app, 'erin')
  await tollgate.app.clients.administration.add('native-app', { public: true, redirectUris: [REDIRECT] })

  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }))
  t.equal(as.authorization_endpoint, `${as.issuer}/auth/authorize`)
  t.same(as.code_challenge_methods_supported, ['S256'])
  t.equal(as.authorization_response_iss_parameter_supported, true)
  t.ok(as.token_endpoint_auth_methods_supported?.includes('none'))
  const client: oauth.Client = { client_id: 'native-app', token_endpoint_auth_method: 'none' }

  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const url = new URL(as.authorization_endpoint ?? '')
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256'
  }).toString()

  // The browser: open the page, post the form, follow nothing.
  const page = await fetch(url)
  t.equal(page.status, 200)
  const posted = await fetch(new URL('authorize', url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: hiddenRequest(await page.text()), username: 'erin', password: PASSWORD })
  })
  t.equal(posted.status, 303)
  const callback = new URL(posted.headers.get('location') ?? '')
  t.equal(`${callback.origin}${callback.pathname}`, REDIRECT)

  const parameters = oauth.validateAuthResponse(as, client, callback, state)
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), parameters, REDIRECT, verifier, insecure)
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response)
  t.match(tokens, { token_type: 'bearer', access_token: String, refresh_token: String })
  const me = await fetch(`${as.issuer}/users/me`, { headers: bearer(tokens.access_token) })
  t.match(await me.json(), { username: 'erin' })

  // The same code again: refused, and the session it started is over.
  const again = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), parameters, REDIRECT, verifier, insecure)
  const refused = await oauth.processAuthorizationCodeResponse(as, client, again).catch((error: unknown) => error)
  t.match(refused, { name: 'ResponseBodyError', error: 'invalid_grant' })
  t.equal((await fetch(`${as.issuer}/users/me`, { headers: bearer(tokens.access_token) })).status, 401)

  // A response from another issuer (a mix-up, RFC 9207) is refused by the client.
  const mixedUp = new URL(callback)
  mixedUp.searchParams.set('iss', 'https://attacker.example')
  t.throws(() => oauth.validateAuthResponse(as, client, mixedUp, state), 'another iss is refused')
  const otherState = new URL(callback)
  t.throws(() => oauth.validateAuthResponse(as, client, otherState, oauth.generateRandomState()), 'another state is refused')
})
