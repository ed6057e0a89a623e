import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { TollgateError } from '@tollgate/auth/errors'
import { createRequestSeal, sealKey } from '../../src/http/sealed-request.js'
import { errorPage, signInPage, signInPolicy, type SignInForm } from '../../src/http/sign-in-page.js'
import { Password, Username } from '../../src/http/schemas.js'
import { checkAuthorizationRequest, redirectTo, type AuthorizationRequest } from '../../src/oauth/authorization-request.js'

const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }))

/** RFC 6749 §4.1.1; bounded so that nothing unbounded reaches a page or the seal. */
const AuthorizationQuery = Type.Object({
  response_type: text(64),
  client_id: text(64),
  redirect_uri: text(2048),
  state: text(1024),
  scope: text(1024),
  resource: text(2048),
  code_challenge: text(128),
  code_challenge_method: text(16)
})

const SignInBody = Type.Object({ request: Type.String({ maxLength: 8192 }), username: Username, password: Password })

/** One message for every failed sign-in: an unknown user, a wrong password and a disabled account look alike. */
const WRONG = 'Wrong username or password.'
const STALE = 'This sign-in form is no longer valid. Go back to the application you came from and start again.'

/**
 * The pages a person signs in on (RFC 6749 §4.1): `GET /auth/authorize` checks the client's request and
 * shows the form, `POST /auth/authorize` checks the password as every other login does and sends the
 * browser back to the client with a code. Pages, not API operations: they stay out of the OpenAPI document.
 */
const authorize: FastifyPluginAsyncTypebox = async function (fastify) {
  const { directory } = fastify.clients
  const { codes } = fastify.oauth
  const { checkCredentials } = fastify.sessions.lifecycle
  const { JWT_ISSUER: issuer, JWT_AUDIENCE: audience } = fastify.config
  const seal = createRequestSeal(sealKey(fastify.config))

  // Every answer here, the redirects too (browsers apply COOP at each hop): Swagger UI's sign-in window,
  // opened from a page with this policy, keeps its opener through to the redirect page it reports to.
  fastify.addHook('onRequest', async (_request, reply) => {
    reply.headers({ 'cross-origin-opener-policy': 'same-origin', 'referrer-policy': 'no-referrer' })
  })

  /** A page: its own policy in place of the API's. */
  const html = (reply: FastifyReply, status: number, body: string, redirectUri?: string): FastifyReply =>
    reply.code(status).header('content-security-policy', signInPolicy(redirectUri)).type('text/html; charset=utf-8').send(body)

  /** RFC 9207: every answer at the redirect URI says which server sent it. */
  const back = (reply: FastifyReply, redirectUri: string, parameters: Record<string, string | undefined>): FastifyReply =>
    reply.redirect(redirectTo(redirectUri, { ...parameters, iss: issuer }), 303)

  const form = (reply: FastifyReply, status: number, request: AuthorizationRequest, sealed: string, extra: Partial<SignInForm> = {}): FastifyReply =>
    html(reply, status, signInPage({ request: sealed, clientId: request.clientId, ...extra }), request.redirectUri)

  fastify.get('/authorize', { schema: { hide: true, querystring: AuthorizationQuery } }, async function (request, reply) {
    const query = request.query
    const checked = checkAuthorizationRequest(query, query.client_id === undefined ? undefined : directory.get(query.client_id), audience)
    if (checked.kind === 'page') return html(reply, 400, errorPage(checked.message))
    if (checked.kind === 'redirect') {
      return back(reply, checked.redirectUri, { error: checked.error, error_description: checked.description, state: checked.state })
    }
    return form(reply, 200, checked.request, seal.seal(checked.request))
  })

  fastify.post('/authorize', { schema: { hide: true, body: SignInBody } }, async function (request, reply) {
    const { username, password } = request.body
    const opened = seal.open(request.body.request)
    // The client may have changed since the page was shown: its redirect URI must still be registered.
    const client = opened === undefined ? undefined : directory.get(opened.clientId)
    if (opened === undefined || client === undefined || client.disabled || !client.redirectUris.includes(opened.redirectUri)) {
      return html(reply, 400, errorPage(STALE))
    }
    const again = { username, request: request.body.request }
    try {
      await fastify.loginThrottleAs(request, reply, username)
    } catch (error) {
      if (error instanceof TollgateError && error.code === 'ERR_TOO_MANY_ATTEMPTS') return form(reply, 429, opened, again.request, { ...again, message: error.message })
      throw error
    }
    const user = await checkCredentials(username, password)
    const fields = { event: 'auth.login', grant: 'sign_in', username, clientId: opened.clientId }
    if (user === undefined) {
      request.log.warn({ ...fields, outcome: 'failure' }, 'login failed')
      fastify.metrics?.loginFailed('sign_in')
      await fastify.loginFailed(request)
      return form(reply, 400, opened, again.request, { ...again, message: WRONG })
    }
    request.log.info({ ...fields, outcome: 'success', userId: user.id }, 'login succeeded')
    const code = await codes.issue({ ...opened, userId: user.id })
    return back(reply, opened.redirectUri, { code, state: opened.state })
  })
}

export default authorize
