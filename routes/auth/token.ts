import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { auditLogin } from '../../src/http/audit.js'
import { OAuthErrorSchema, Password, TokenResponseSchema, Username } from '../../src/http/schemas.js'

type OAuthErrorCode = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type'

/** RFC 6749 §5.2 error answer. */
function oauthError (reply: FastifyReply, error: OAuthErrorCode, description: string) {
  return reply.code(400).header('cache-control', 'no-store').send({
    error, error_description: description, statusCode: 400, message: description
  })
}

const TokenRequest = Type.Object({
  grant_type: Type.String({ description: '`password`' }),
  username: Type.Optional(Username),
  password: Type.Optional(Password),
  scope: Type.Optional(Type.String({ maxLength: 1024 }))
})

const token: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.post('/token', {
    // Bad input must come back as an RFC 6749 error body, not Fastify's validation error.
    attachValidation: true,
    schema: {
      tags: ['auth'],
      summary: 'OAuth2 token endpoint (RFC 6749), form-encoded or JSON',
      description: 'Grant `password` with `username` and `password`. This is what Swagger UI\'s Authorize dialog calls.',
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      body: TokenRequest,
      response: {
        200: Type.Ref(TokenResponseSchema),
        400: Type.Ref(OAuthErrorSchema, { description: '`invalid_request`, `invalid_grant` or `unsupported_grant_type`' })
      }
    }
  }, async function (request, reply) {
    if (request.validationError !== undefined) {
      return oauthError(reply, 'invalid_request', `The request is malformed: ${request.validationError.message}`)
    }
    const body = request.body
    if (body.grant_type !== 'password') {
      return oauthError(reply, 'unsupported_grant_type', `Grant type "${body.grant_type.slice(0, 64)}" is not supported`)
    }
    if (body.username === undefined || body.password === undefined) {
      return oauthError(reply, 'invalid_request', 'The password grant needs username and password')
    }
    const user = await fastify.sessions.checkCredentials(body.username, body.password)
    auditLogin(request.log, 'password', body.username, user?.id)
    if (user === undefined) return oauthError(reply, 'invalid_grant', 'Invalid username or password')
    return reply.header('cache-control', 'no-store').send(fastify.sessions.issueAccessToken(user))
  })
}

export default token
