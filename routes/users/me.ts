import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponse, UserSchema } from '../../src/http/schemas.js'

const me: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.get('/me', {
    config: { auth: true },
    schema: {
      tags: ['users'],
      summary: 'The user the access token was issued to',
      response: {
        200: Type.Ref(UserSchema),
        404: errorResponse('The user no longer exists')
      }
    }
  }, async function (request, reply) {
    const user = await fastify.users.findById(request.user.sub)
    if (user === undefined) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'The user no longer exists' })
    return { id: user.id, username: user.username, roles: user.roles }
  })
}

export default me
