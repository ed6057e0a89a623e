import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { OAuthErrorSchema, TokenPresentation } from '../../src/http/schemas.js'

const revoke: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.post('/revoke', {
    config: { oauth: true, client: { optional: true } },
    schema: {
      tags: ['oauth'],
      summary: 'Token revocation (RFC 7009): a client revokes the tokens issued to it; a user\'s token is revoked by presenting it',
      description: 'A client authenticates as at the token endpoint. A token from a login needs no client: presenting it ' +
        'ends it and its session, as a logout does. The answer is 200 whatever the token was.',
      consumes: ['application/x-www-form-urlencoded'],
      body: TokenPresentation,
      response: {
        200: Type.Unsafe<undefined>({ description: 'Revoked, or nothing to revoke: an empty body' }),
        400: Type.Ref(OAuthErrorSchema, { description: '`invalid_request`, or `unauthorized_client`: the token was issued to another client' }),
        401: Type.Ref(OAuthErrorSchema, { description: '`invalid_client`: client authentication failed, or a client\'s token without it' })
      }
    }
  }, async function (request, reply) {
    const { body, client } = request
    const revoked = await fastify.oauth.revocation.revoke(body.token, client?.id)
    if (revoked !== undefined) {
      request.log.info({ event: 'auth.revoke', tokenType: revoked, clientId: client?.id }, 'token revoked')
    }
    // RFC 7009 §2.2: "an HTTP status code 200"; the body is ignored, so none is sent, not JSON `null`.
    return reply.header('cache-control', 'no-store').code(200).send(undefined)
  })
}

export default revoke
