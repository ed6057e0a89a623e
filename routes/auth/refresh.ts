import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { auditRefresh } from '../../src/http/audit.js'
import { RefreshToken, TokenResponseSchema } from '../../src/http/schemas.js'
import { errorResponse } from '../../src/http/error-schema.js'
import { sessionClient } from '../../src/http/session-client.js'

const refresh: FastifyPluginAsyncTypebox = async function (fastify) {
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
    const result = await fastify.sessions.lifecycle.refresh(request.body.refresh_token, sessionClient(request))
    auditRefresh(request, result)
    if (!result.ok) throw result.error
    return reply.header('cache-control', 'no-store').send(result.value.response)
  })
}

export default refresh
