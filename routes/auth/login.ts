import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { TollgateError } from '@tollgate/auth/errors'
import { Password, TokenResponseSchema, Username } from '../../src/http/schemas.js'
import { errorResponse } from '@tollgate/auth/http/error-schema'
import { issueTokens } from '../../src/http/token-endpoint.js'

const login: FastifyPluginAsyncTypebox = async function (fastify) {
  const { password } = fastify.oauth.grants
  const enabled = fastify.config.PASSWORD_GRANT

  fastify.post('/login', {
    schema: {
      tags: ['auth'],
      summary: 'Log in with a username and password (JSON)',
      description: 'Refused with 400 `ERR_UNSUPPORTED_GRANT_TYPE` when PASSWORD_GRANT=false: sign in at /auth/authorize instead.',
      body: Type.Object({ username: Username, password: Password }),
      response: {
        200: Type.Ref(TokenResponseSchema),
        400: errorResponse('PASSWORD_GRANT=false: passwords are given to the sign-in page of /auth/authorize only'),
        401: errorResponse('Unknown user, wrong password or disabled account (one answer for all three)'),
        429: errorResponse('Too many attempts for this username or from this address: see Retry-After')
      }
    }
  }, async function (request, reply) {
    if (!enabled) throw new TollgateError('ERR_UNSUPPORTED_GRANT_TYPE', 'Logging in with a password here is turned off (PASSWORD_GRANT=false): sign in at /auth/authorize')
    // The token endpoint's password grant, with this endpoint's own answers (401, no OAuth error names).
    return issueTokens(request, reply, password, { grant_type: 'password', ...request.body }, 'login')
  })
}

export default login
