import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { RefreshToken, TokenResponseSchema } from '../../src/http/schemas.js'
import { errorResponse } from '@tollgate/auth/http/error-schema'
import { issueTokens } from '../../src/http/token-endpoint.js'

const refresh: FastifyPluginAsyncTypebox = async function (fastify) {
  const { refreshToken } = fastify.oauth.grants

  fastify.post('/refresh', {
    schema: {
      tags: ['auth'],
      summary: 'Exchange a refresh token for a new access and refresh token (the old one is spent)',
      description: 'Presenting a spent refresh token again revokes its whole session: every token issued from that login.',
      body: Type.Object({ refresh_token: RefreshToken }),
      response: {
        200: Type.Ref(TokenResponseSchema),
        401: errorResponse('The refresh token is unknown, expired, spent or revoked')
      }
    }
  }, async function (request, reply) {
    // The token endpoint's refresh_token grant, with this endpoint's own answers (401, no OAuth error names).
    return issueTokens(request, reply, refreshToken, { grant_type: 'refresh_token', ...request.body })
  })
}

export default refresh
