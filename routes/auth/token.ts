import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { auditClientGrant, auditLogin, auditRefresh } from '../../src/http/audit.js'
import { clientAuthentication } from '../../src/http/client-authentication.js'
import { OAuthErrorSchema, Password, RefreshToken, TokenResponseSchema, Username, errorResponse } from '../../src/http/schemas.js'

type OAuthErrorCode = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_client' | 'invalid_scope'

/** RFC 6749 §5.2 error answer; a client that failed to authenticate gets 401 and a Basic challenge. */
function oauthError (reply: FastifyReply, error: OAuthErrorCode, description: string) {
  const statusCode = error === 'invalid_client' ? 401 : 400
  if (statusCode === 401) reply.header('www-authenticate', 'Basic realm="tollgate"')
  return reply.code(statusCode).header('cache-control', 'no-store').send({
    error, error_description: description, statusCode, message: description
  })
}

const TokenRequest = Type.Object({
  grant_type: Type.String({ description: '`password`, `refresh_token` or `client_credentials`' }),
  username: Type.Optional(Username),
  password: Type.Optional(Password),
  refresh_token: Type.Optional(RefreshToken),
  scope: Type.Optional(Type.String({ maxLength: 1024 })),
  client_id: Type.Optional(Type.String({ maxLength: 256 })),
  client_secret: Type.Optional(Type.String({ maxLength: 1024 }))
})

const token: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.post('/token', {
    preHandler: fastify.loginThrottle,
    // Bad input must come back as an RFC 6749 error body, not Fastify's validation error.
    attachValidation: true,
    // So must a body the parser refuses (malformed, wrong media type) — but throttling keeps its 429.
    errorHandler: function (error, _request, reply) {
      const status = error.statusCode ?? 500
      if (status >= 400 && status < 500 && status !== 429) return oauthError(reply, 'invalid_request', error.message)
      throw error
    },
    schema: {
      tags: ['auth'],
      summary: 'OAuth2 token endpoint (RFC 6749), form-encoded or JSON',
      description: 'Grant `password` (`username`, `password`), `refresh_token` (`refresh_token`) or ' +
        '`client_credentials` (client id and secret in HTTP Basic or the body, optional `scope`). ' +
        'This is what Swagger UI\'s Authorize dialog calls.',
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      body: TokenRequest,
      response: {
        200: Type.Ref(TokenResponseSchema),
        400: Type.Ref(OAuthErrorSchema, { description: '`invalid_request`, `invalid_grant`, `invalid_scope` or `unsupported_grant_type`' }),
        401: Type.Ref(OAuthErrorSchema, { description: '`invalid_client`: unknown client, wrong secret or disabled client' }),
        429: errorResponse('Too many attempts for this username or from this address: see Retry-After')
      }
    }
  }, async function (request, reply) {
    if (request.validationError !== undefined) {
      return oauthError(reply, 'invalid_request', `The request is malformed: ${request.validationError.message}`)
    }
    const body = request.body
    switch (body.grant_type) {
      case 'password': {
        if (body.username === undefined || body.password === undefined) {
          return oauthError(reply, 'invalid_request', 'The password grant needs username and password')
        }
        const user = await fastify.sessions.checkCredentials(body.username, body.password)
        auditLogin(request.log, 'password', body.username, user?.id)
        if (user === undefined) return oauthError(reply, 'invalid_grant', 'Invalid username or password')
        return reply.header('cache-control', 'no-store').send(await fastify.sessions.startSession(user))
      }
      case 'refresh_token': {
        if (body.refresh_token === undefined) return oauthError(reply, 'invalid_request', 'The refresh_token grant needs refresh_token')
        const result = await fastify.sessions.refresh(body.refresh_token)
        auditRefresh(request.log, result)
        if (!result.ok) return oauthError(reply, 'invalid_grant', 'The refresh token is invalid, expired or revoked')
        return reply.header('cache-control', 'no-store').send(result.response)
      }
      case 'client_credentials': {
        const credentials = clientAuthentication(request.headers.authorization, body)
        if ('error' in credentials) return oauthError(reply, credentials.error, credentials.description)
        const result = await fastify.clientCredentials.grant(credentials.id, credentials.secret, body.scope)
        auditClientGrant(request.log, credentials.id, result.ok ? undefined : result.error)
        if (!result.ok) return oauthError(reply, result.error, result.description)
        return reply.header('cache-control', 'no-store').send(result.response)
      }
      default:
        return oauthError(reply, 'unsupported_grant_type', `Grant type "${body.grant_type.slice(0, 64)}" is not supported`)
    }
  })
}

export default token
