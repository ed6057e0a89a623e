import type { FastifyReply, FastifyRequest } from 'fastify'
import { TollgateError } from '@tollgate/auth/errors'
import type { Grant, TokenParameters } from '../oauth/grants/grant.js'
import type { TokenResponse } from '../sessions/token-response.js'
import { clientAuthentication, type ClientAuthenticationFields } from './client-authentication.js'
import { sessionClient } from './session-client.js'

/** RFC 6749 §5.2: at the token endpoint a refused credential or refresh token is `invalid_grant` with 400. */
const AS_INVALID_GRANT = new Set(['ERR_INVALID_CREDENTIALS', 'ERR_REFRESH_TOKEN_INVALID'])

/**
 * Runs a grant for an HTTP request: the one place where a grant's parameters are checked, the login
 * throttle checks it (and counts a wrong password), its outcome is audited and counted, and its answer is marked `no-store` (RFC 6749
 * §5.1). The token endpoint, `/auth/login` and `/auth/refresh` all come here.
 */
export async function issueTokens (request: FastifyRequest, reply: FastifyReply, grant: Grant, parameters: TokenParameters & ClientAuthenticationFields, via: string = grant.type): Promise<TokenResponse> {
  const accepted = grant.accept(parameters, {
    origin: sessionClient(request),
    via,
    clientProof: () => clientAuthentication(request.headers.authorization, parameters)
  })
  if (!accepted.ok) throw accepted.error
  const run = accepted.value
  // Only passwords can be guessed: secrets, assertions and refresh tokens are random or signed, and a
  // service asks for tokens far more often than a login budget allows.
  if (run.username !== undefined) await request.server.loginThrottleAs(request, reply, run.username)
  const { result, audit } = await run.run()
  request.log[audit.level](audit.fields, audit.message)
  request.server.metrics?.[audit.metric.name](audit.metric.label as never)
  if (!result.ok) {
    const error = result.error
    // A wrong password spends the username's budget; nothing else a grant refuses does.
    if (run.username !== undefined && error.code === 'ERR_INVALID_CREDENTIALS') await request.server.loginFailed(request)
    if (request.routeOptions.config.oauth === true && AS_INVALID_GRANT.has(error.code)) throw new TollgateError('ERR_INVALID_GRANT', error.message)
    throw error
  }
  reply.header('cache-control', 'no-store')
  return result.value
}
