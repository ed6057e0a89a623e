import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { TollgateError } from '../../src/errors.js'
import { auditClientGrant, auditLogin, auditRefresh } from '../../src/http/audit.js'
import { clientAuthentication } from '../../src/http/client-authentication.js'
import { ClientAuthenticationMembers, OAuthErrorSchema, Password, RefreshToken, TokenResponseSchema, Username } from '../../src/http/schemas.js'
import { errorResponse } from '../../src/http/error-schema.js'
import { sessionClient } from '../../src/http/session-client.js'

const invalidRequest = (message: string): TollgateError => new TollgateError('ERR_INVALID_REQUEST', message)
const INVALID_PASSWORD = new TollgateError('ERR_INVALID_GRANT', 'Invalid username or password')

const Resource = Type.String({ maxLength: 2048 })

const TokenRequest = Type.Object({
  grant_type: Type.String({ description: '`password`, `refresh_token` or `client_credentials`' }),
  username: Type.Optional(Username),
  password: Type.Optional(Password),
  refresh_token: Type.Optional(RefreshToken),
  scope: Type.Optional(Type.String({ maxLength: 1024 })),
  ...ClientAuthenticationMembers,
  resource: Type.Optional(Type.Union([Resource, Type.Array(Resource, { maxItems: 16 })], { description: 'RFC 8707: the audience the token is for' }))
})

const token: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.post('/token', {
    // Every error here, a body the parser or the schema refuses included, answers RFC 6749 §5.2's shape.
    config: { oauth: true },
    schema: {
      tags: ['auth'],
      summary: 'OAuth2 token endpoint (RFC 6749), form-encoded or JSON',
      description: 'Grant `password` (`username`, `password`), `refresh_token` (`refresh_token`) or ' +
        '`client_credentials` (client id and secret in HTTP Basic or the body, or a `private_key_jwt` assertion; ' +
        'optional `scope`, and `resource` for a token of another audience). ' +
        'This is what Swagger UI\'s Authorize dialog calls.',
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      body: TokenRequest,
      response: {
        200: Type.Ref(TokenResponseSchema),
        400: Type.Ref(OAuthErrorSchema, { description: '`invalid_request`, `invalid_grant`, `invalid_scope`, `invalid_target` or `unsupported_grant_type`' }),
        401: Type.Ref(OAuthErrorSchema, { description: '`invalid_client`: unknown client, wrong secret, refused assertion or disabled client' }),
        429: errorResponse('Too many attempts for this username or from this address: see Retry-After')
      }
    }
  }, async function (request, reply) {
    const body = request.body
    switch (body.grant_type) {
      case 'password': {
        if (body.username === undefined || body.password === undefined) {
          throw invalidRequest('The password grant needs username and password')
        }
        // Only passwords can be guessed: secrets, assertions and refresh tokens are random or signed, and
        // a service asks for tokens far more often than a login budget allows.
        await fastify.loginThrottle(request, reply)
        const user = await fastify.sessions.checkCredentials(body.username, body.password)
        auditLogin(request, 'password', body.username, user?.id)
        if (user === undefined) {
          await fastify.loginFailed(request)
          throw INVALID_PASSWORD
        }
        return reply.header('cache-control', 'no-store').send(await fastify.sessions.startSession(user, sessionClient(request)))
      }
      case 'refresh_token': {
        if (body.refresh_token === undefined) throw invalidRequest('The refresh_token grant needs refresh_token')
        const result = await fastify.sessions.refresh(body.refresh_token, sessionClient(request))
        auditRefresh(request, result)
        // RFC 6749 §5.2: a bad refresh token is `invalid_grant` with 400 here, 401 on /auth/refresh.
        if (!result.ok) throw new TollgateError('ERR_INVALID_GRANT', result.error.message)
        return reply.header('cache-control', 'no-store').send(result.value.response)
      }
      case 'client_credentials': {
        const proof = clientAuthentication(request.headers.authorization, body)
        if (!proof.ok) throw proof.error
        const result = await fastify.clientCredentials.grant({ proof: proof.value, scope: body.scope, resource: body.resource })
        auditClientGrant(request, proof.value.method, result)
        if (!result.ok) throw result.error
        return reply.header('cache-control', 'no-store').send(result.value.response)
      }
      default:
        throw new TollgateError('ERR_UNSUPPORTED_GRANT_TYPE', `Grant type "${body.grant_type.slice(0, 64)}" is not supported`)
    }
  })
}

export default token
