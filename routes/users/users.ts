import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { TollgateError } from '@tollgate/auth/errors'
import { UserSchema } from '../../src/http/schemas.js'
import { errorResponse } from '@tollgate/auth/http/error-schema'

const users: FastifyPluginAsyncTypebox = async function (fastify) {
  async function profile (id: string) {
    const user = await fastify.users.findById(id)
    if (user === undefined) throw new TollgateError('ERR_USER_NOT_FOUND', 'No such user')
    return { id: user.id, username: user.username, roles: user.roles }
  }

  fastify.get('/me', {
    config: { auth: true },
    schema: {
      tags: ['users'],
      summary: 'The user the access token was issued to',
      response: {
        200: Type.Ref(UserSchema),
        404: errorResponse('The user no longer exists, or the token was issued to a service client', 'ERR_USER_NOT_FOUND')
      }
    }
  }, async function (request) {
    return profile(request.user.sub)
  })

  fastify.get('/:id', {
    config: { auth: { scopes: ['users:read'] } },
    schema: {
      tags: ['users'],
      summary: 'Any user\'s profile, for services holding the `users:read` scope',
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      response: {
        200: Type.Ref(UserSchema),
        404: errorResponse('No user has this id', 'ERR_USER_NOT_FOUND')
      }
    }
  }, async function (request) {
    return profile(request.params.id)
  })
}

export default users
