import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Password, TokenResponseSchema, Username } from '../../src/http/schemas.js'
import { errorResponse } from '@tollgate/auth/http/error-schema'
import { issueTokens } from '../../src/http/token-endpoint.js'

const login: FastifyPluginAsyncTypebox = async function (fastify) {
  const { password } = fastify.oauth.grants

  fastify.post('/login', {
    schema: {
      tags: ['auth'],
      summary: 'Log in with a username and password (JSON)',
      body: Type.Object({ username: Username, password: Password }),
      response: {
        200: Type.Ref(TokenResponseSchema),
        401: errorResponse('Unknown user, wrong password or disabled account (one answer for all three)'),
        429: errorResponse('Too many attempts for this username or from this address: see Retry-After')
      }
    }
  }, async function (request, reply) {
    // The token endpoint's password grant, with this endpoint's own answers (401, no OAuth error names).
    return issueTokens(request, reply, password, { grant_type: 'password', ...request.body }, 'login')
  })
}

export default login
