import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { TollgateError } from '../../src/errors.js'
import { errorResponse } from '../../src/http/schemas.js'
import { MAX_ROLES, ROLE_PATTERN, type User } from '../../src/users/users-repository.js'

const AdminUser = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  roles: Type.Array(Type.String()),
  disabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' })
}, { $id: 'AdminUser', title: 'AdminUser' })

const Role = Type.String({ pattern: ROLE_PATTERN.source })

const present = (user: User) => ({ ...user, createdAt: new Date(user.createdAt).toISOString() })

const adminUsers: FastifyPluginAsyncTypebox = async function (fastify) {
  fastify.addSchema(AdminUser)

  fastify.get('/users', {
    config: { auth: { roles: ['admin'] } },
    schema: {
      tags: ['admin'],
      summary: 'Every user (never a password hash)',
      response: { 200: Type.Array(Type.Ref(AdminUser)) }
    }
  }, async function () {
    return (await fastify.users.list()).map(present)
  })

  fastify.patch('/users/:id', {
    config: { auth: { roles: ['admin'] } },
    schema: {
      tags: ['admin'],
      summary: 'Change a user\'s roles or disable them; either ends the tokens they hold',
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      // Unknown fields are refused with a schema nothing matches, not `false`: Fastify's Ajv silently strips
      // those, so a typo like `{"disable": true}` would answer 200 and change nothing.
      body: Type.Object({
        roles: Type.Optional(Type.Array(Role, { maxItems: MAX_ROLES })),
        disabled: Type.Optional(Type.Boolean())
      }, { additionalProperties: Type.Never(), minProperties: 1 }),
      response: { 200: Type.Ref(AdminUser), 404: errorResponse('No user has this id') }
    }
  }, async function (request) {
    const { id } = request.params
    const { roles, disabled } = request.body
    let user = roles === undefined ? await fastify.users.findById(id) : await fastify.sessions.setRoles(id, roles)
    if (user !== undefined && disabled !== undefined) user = await fastify.sessions.setDisabled(id, disabled)
    if (user === undefined) throw new TollgateError('ERR_USER_NOT_FOUND', 'No user has this id')
    request.log.info({ event: 'admin.user.update', userId: id, by: request.user.sub, roles, disabled }, 'user updated')
    return present(user)
  })
}

export default adminUsers
