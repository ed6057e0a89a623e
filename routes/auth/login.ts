import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { TollgateError } from '../../src/errors.js'
import { auditLogin } from '../../src/http/audit.js'
import { Password, TokenResponseSchema, Username } from '../../src/http/schemas.js'
import { errorResponse } from '../../src/http/error-schema.js'
import { sessionClient } from '../../src/http/session-client.js'

const INVALID_CREDENTIALS = new TollgateError('ERR_INVALID_CREDENTIALS', 'Invalid username or password')

const login: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.post('/login', {
    preHandler: fastify.loginThrottle,
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
    const { username, password } = request.body
    const user = await fastify.sessions.checkCredentials(username, password)
    auditLogin(request, 'login', username, user?.id)
    if (user === undefined) {
      await fastify.loginFailed(request)
      throw INVALID_CREDENTIALS
    }
    return reply.header('cache-control', 'no-store').send(await fastify.sessions.startSession(user, sessionClient(request)))
  })
}

export default login
