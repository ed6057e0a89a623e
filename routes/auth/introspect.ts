import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Client } from '../../src/clients/clients-repository.js'
import { OAuthErrorSchema, TokenPresentation } from '../../src/http/schemas.js'
import { errorResponse } from '@tollgate/auth/http/error-schema'

const IntrospectionSchema = Type.Object({
  active: Type.Boolean(),
  token_type: Type.Optional(Type.Union([Type.Literal('Bearer'), Type.Literal('refresh_token')])),
  sub: Type.Optional(Type.String()),
  client_id: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
  exp: Type.Optional(Type.Integer()),
  iat: Type.Optional(Type.Integer()),
  iss: Type.Optional(Type.String()),
  aud: Type.Optional(Type.String()),
  jti: Type.Optional(Type.String()),
  sid: Type.Optional(Type.String({ description: 'The session (login) the token belongs to' })),
  // Recursive by nature (each actor may hold an earlier one in `act`): the nested members are passed as they are.
  act: Type.Optional(Type.Object({ sub: Type.String() }, {
    additionalProperties: true,
    description: 'RFC 8693 §4.1, on an exchanged token: the client acting for the subject, with any earlier actor nested in its own `act`'
  }))
}, { $id: 'Introspection', title: 'Introspection' })

const introspect: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.addSchema(IntrospectionSchema)
  const limit = fastify.clientRateLimit(fastify.config.INTROSPECTION_RATE_LIMIT)

  fastify.post('/introspect', {
    config: { oauth: true, client: { permission: 'introspect' } },
    schema: {
      tags: ['oauth'],
      summary: 'Token introspection (RFC 7662), for clients with the `introspect` permission',
      description: 'Authenticate as the client (HTTP Basic, or `client_id` and `client_secret` in the form). ' +
        'Answers `{active: false}` for anything that is not a live access or refresh token.',
      consumes: ['application/x-www-form-urlencoded'],
      body: TokenPresentation,
      response: {
        200: Type.Ref(IntrospectionSchema),
        400: Type.Ref(OAuthErrorSchema, { description: '`invalid_request`: no token, or a malformed request' }),
        429: errorResponse('Too many introspections by this client: see Retry-After')
      }
    }
  }, async function (request, reply) {
    await limit(request, reply, (request.client as Client).id)
    // RFC 7662 §4: an answer about a token must not be cached.
    return reply.header('cache-control', 'no-store').send(await fastify.oauth.introspection.introspect(request.body.token))
  })
}

export default introspect
